using System.Net;
using System.Net.Sockets;

namespace Sluice.Core.Net;

/// <summary>Listening sockets and their accept loops, for the SMTP server and the balancer alike.</summary>
internal static class TcpListeners
{
    /// <summary>A socket listening on <paramref name="endpoint"/> (port 0: any free port; see its LocalEndPoint).</summary>
    public static Socket Listen(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

        // A restarted process must not wait out TIME_WAIT to bind its port again.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endpoint);
        socket.Listen(1024);
        return socket;
    }

    /// <summary>
    /// Accepts until <paramref name="stopping"/> fires or the listener is closed, handing each
    /// connection (NoDelay set) to <paramref name="onClient"/>, which must not block. A failed accept
    /// (a client that reset before we took it) is skipped.
    /// </summary>
    public static async Task AcceptAsync(Socket listener, Action<Socket> onClient, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(onClient);
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            client.NoDelay = true;
            onClient(client);
        }
    }
}
