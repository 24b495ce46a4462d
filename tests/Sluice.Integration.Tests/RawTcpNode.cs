using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Integration.Tests;

/// <summary>
/// A node behind the balancer that is not an MTA: a TCP listener on 127.0.0.1 whose connections a
/// test handles itself (echo, a scripted reply, a slow reader), to see the proxy's byte semantics
/// apart from SMTP.
/// </summary>
internal sealed class RawTcpNode : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _accepting;

    public RawTcpNode(Func<Socket, Task> handle, int receiveBufferSize = 0)
    {
        _handle = handle;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        if (receiveBufferSize > 0)
        {
            // Inherited by accepted sockets: a small window makes the balancer's writes to us fill up.
            _listener.ReceiveBufferSize = receiveBufferSize;
        }

        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => _handlers.Count;

    /// <summary>Echoes every byte back, reading <paramref name="chunk"/> bytes at a time, until the client ends; then ends too.</summary>
    public static Func<Socket, Task> Echo(int chunk) => async socket =>
    {
        var buffer = new byte[chunk];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        await Task.WhenAll(_handlers).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _handlers.Add(Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await _handle(client);
                    }
                    catch (SocketException)
                    {
                        // The test's client went away: what the test checks is elsewhere.
                    }
                }
            }));
        }
    }
}
