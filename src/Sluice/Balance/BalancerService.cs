using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Core.Balancing;
using Sluice.Core.Proxy;
using Sluice.Core.Telemetry;

namespace Sluice.Balance;

/// <summary>
/// The TCP front door: accepts SMTP connections, picks a node per connection by the pool's policy
/// (skipping nodes that refuse, by their fault), sends a PROXY header so the node sees the real
/// client, and copies bytes both ways with back-pressure (a read waits for the previous write).
/// Stopping closes the listeners and lets open connections finish.
/// </summary>
internal sealed class BalancerService(BalanceOptions options, BalancerPoolSet pools, SluiceMetrics metrics, TimeProvider time, ILogger<BalancerService> logger) : IHostedService, IDisposable
{
    private const int CopyBufferSize = 64 * 1024;
    private static readonly byte[] NoNode = Encoding.ASCII.GetBytes("421 4.3.2 No mail server is available right now, try again later\r\n");

    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly FailoverLoop _failover = Failover(pools, metrics, logger);

    /// <summary>The addresses actually bound (port 0 resolved).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var bound = new List<IPEndPoint>();
        foreach (var listener in options.Listeners)
        {
            var socket = Core.Net.TcpListeners.Listen(IPEndPoint.Parse(listener.Address));
            _listeners.Add(socket);
            bound.Add((IPEndPoint)socket.LocalEndPoint!);
            var pool = listener.Pool ?? options.Pools[0].Name;
            BalanceLog.Listening(logger, socket.LocalEndPoint!, pool, options.ProxyProtocol);
            _acceptLoops.Add(Task.Run(() => Core.Net.TcpListeners.AcceptAsync(socket, client => Track(client, pool), _stopping.Token), CancellationToken.None));
        }

        BoundEndpoints = bound;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _listeners)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        BalanceLog.Stopping(logger, _connections.Count);
        try
        {
            await Task.WhenAll(_connections.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of grace: what is still open is cut when the process exits.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private static FailoverLoop Failover(BalancerPoolSet pools, SluiceMetrics metrics, ILogger logger)
    {
        var loop = new FailoverLoop(pools);
        loop.Picked += (pool, member) => metrics.PoolSelections.Add(1, new KeyValuePair<string, object?>("pool", pool.Name), new KeyValuePair<string, object?>("member", member.Name));
        loop.Faulted += (member, fault) =>
        {
            metrics.PoolFailures.Add(1, new KeyValuePair<string, object?>("pool", member.Pool), new KeyValuePair<string, object?>("member", member.Name), new KeyValuePair<string, object?>("reason", fault.ToString()));
            BalanceLog.NodeFailed(logger, member.Pool, member.Name, fault.ToString());
        };
        return loop;
    }

    private void Track(Socket client, string pool)
    {
        // Runs on the accepting socket thread up to its first wait (the connect to a node), as the
        // copy loops run on the socket threads: a thread-pool hop per connection (a worker woken and
        // put back to sleep) cost more CPU than the few microseconds of work before that wait.
        var task = HandleAsync(client, pool);
        _connections[task] = 0;
        _ = task.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task HandleAsync(Socket client, string poolName)
    {
        using (client)
        {
            var clientEndpoint = (IPEndPoint)client.RemoteEndPoint!;
            var frontEndpoint = (IPEndPoint)client.LocalEndPoint!;
            metrics.BalanceConnections.Add(1);
            var taken = await _failover.RunAsync(poolName, async member =>
            {
                var (upstream, fault) = await ConnectAsync(member.Address).ConfigureAwait(false);
                return upstream is null ? MemberTries.Failed<Socket>(null, fault) : MemberTries.Done(upstream);
            }).ConfigureAwait(false);
            if (taken is { Taken: true, Result: { } upstream })
            {
                using (taken.Lease)
                using (upstream)
                {
                    metrics.BalanceConnectionsOpen.Add(1);
                    try
                    {
                        await ProxyAsync(client, upstream, clientEndpoint, frontEndpoint).ConfigureAwait(false);
                    }
                    finally
                    {
                        metrics.BalanceConnectionsOpen.Add(-1);
                    }
                }

                return;
            }

            BalanceLog.NoneAvailable(logger, poolName, clientEndpoint.Address);
            try
            {
                await client.SendAsync(NoNode, SocketFlags.None).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // The client left already.
            }
        }
    }

    private async Task<(Socket? Socket, MemberFault Fault)> ConnectAsync(string address)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        // Validated at load (BalancerPoolSet.IsHostAndPort): it parses.
        Core.Net.HostPort.TryParse(address, null, out var target);
        var literal = target.Address is { } ip ? new IPEndPoint(ip, target.Port) : null;
        var socket = literal is null ? new Socket(SocketType.Stream, ProtocolType.Tcp) : new Socket(literal.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            if (literal is not null)
            {
                // Nodes are usually addresses: no resolver on the way of every connection.
                await socket.ConnectAsync(literal, linked.Token).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(target.Host, target.Port, linked.Token).ConfigureAwait(false);
            }

            return (socket, default);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return (null, ex is OperationCanceledException ? MemberFault.Timeout : MemberFault.ConnectFailed);
        }
    }

    private async Task ProxyAsync(Socket client, Socket upstream, IPEndPoint clientEndpoint, IPEndPoint frontEndpoint)
    {
        try
        {
            var header = options.ProxyProtocol switch
            {
                ProxyProtocolVersion.V2 => ProxyProtocol.WriteV2(clientEndpoint, frontEndpoint),
                ProxyProtocolVersion.V1 => ProxyProtocol.WriteV1(clientEndpoint, frontEndpoint),
                _ => [],
            };
            if (header.Length > 0)
            {
                await upstream.SendAsync(header, SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
            return;
        }

        var toNode = CopyAsync(client, upstream);
        var toClient = CopyAsync(upstream, client);
        var first = await Task.WhenAny(toNode, toClient).ConfigureAwait(false);

        // One side is done (QUIT answered and closed, or a node gone): the other gets a while to finish, then both close.
        // WaitAsync drops its timer as soon as the other side ends (a Task.Delay would linger for the whole timeout).
        var other = first == toNode ? toClient : toNode;
        try
        {
            await other.WaitAsync(options.CloseTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Half-open for too long: closing both sockets ends it.
        }
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int n;
            // The Memory overloads: ValueTask, no Task allocated per read that waits.
            while ((n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // A side went away: the connection is over; closing both tells the other side.
            try
            {
                to.Shutdown(SocketShutdown.Both);
                from.Shutdown(SocketShutdown.Both);
            }
            catch (Exception inner) when (inner is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
