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

    /// <summary>A port free on every one of <paramref name="addresses"/> (MX hosts on several loopback addresses share one port).</summary>
    public static int Common(params string[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Next(IPAddress.Parse(addresses[0]));
            var sockets = new List<Socket>();
            try
            {
                foreach (var a in addresses)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Parse(a), port));
                }

                return port;
            }
            catch (SocketException)
            {
                // Taken on one of them; try another.
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("no port free on all of " + string.Join(", ", addresses));
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> now (a server's readiness).</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var probe = new TcpClient();
            probe.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
