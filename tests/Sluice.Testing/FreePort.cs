using System.Net;
using System.Net.Sockets;

namespace Sluice.Testing;

/// <summary>
/// Picks a free loopback TCP port at run time. Ports come from 10000–32767, below Linux's
/// ephemeral range, so the many outgoing connections of parallel tests cannot grab a port
/// between our check and the server's bind.
/// </summary>
public static class FreePort
{
    public static int Next(IPAddress? address = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(10000, 32768);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address ?? IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException("no free port found");
    }
}
