using System.Net;
using System.Net.Sockets;

namespace Sluice.Core.Net;

/// <summary>Listening sockets and their accept loops, for the SMTP server and the balancer alike.</summary>
public static class TcpListeners
{
    // Linux's SOL_SOCKET and SO_REUSEADDR.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>
    /// A socket listening on <paramref name="endpoint"/> (port 0: any free port; see its LocalEndPoint).
    /// A port another process listens on is refused with an <see cref="IOException"/> naming the address.
    /// </summary>
    public static Socket Listen(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted process must not wait out TIME_WAIT to bind its port again: SO_REUSEADDR
            // alone. .NET's ReuseAddress also sets SO_REUSEPORT on Linux, which let a second node bind
            // the same port and the kernel split clients between two spools.
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }

            socket.Bind(endpoint);
            socket.Listen(1024);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            var why = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "address already in use (another process listens there)",
                SocketError.AddressNotAvailable => "no such local address on this machine",
                SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                _ => ex.Message,
            };
            throw new IOException($"cannot listen on {endpoint}: {why}", ex);
        }
    }

    /// <summary>
    /// Accepts until <paramref name="stopping"/> fires or the listener is closed, handing each
    /// connection (NoDelay set) to <paramref name="onClient"/>, which must not block. A failed accept
    /// (a client that reset before we took it) is skipped.
    /// </summary>
    public static async Task AcceptAsync(Socket listener, Action<Socket> onClient, CancellationToken stopping, TimeProvider? time = null)
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

                if (ex is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable })
                {
                    // Out of file descriptors: the pending connection stays in the backlog until
                    // one is freed; retrying at once would spin a core.
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50), time ?? TimeProvider.System, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            client.NoDelay = true;
            onClient(client);
        }
    }
}
