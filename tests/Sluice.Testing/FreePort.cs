using System.Net;
using System.Net.Sockets;

namespace Sluice.Testing;

/// <summary>Picks a free loopback TCP port at run time (bind to 0, read it back, release it).</summary>
public static class FreePort
{
    public static int Next(IPAddress? address = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
