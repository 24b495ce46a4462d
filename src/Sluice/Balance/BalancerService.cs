using System.Net;
using System.Net.Sockets;
using Sluice.Core.Balancing;
using Sluice.Core.Telemetry;

namespace Sluice.Balance;

/// <summary>
/// The TCP front door: listens on the configured addresses and runs the proxy loops
/// (<see cref="ProxyLoop"/>, <c>Balance:SocketThreads</c> of them) that accept connections, pick a
/// node per connection by the pool's policy (skipping nodes that refuse, by their fault), send a
/// PROXY header so the node sees the real client, and copy bytes both ways with back-pressure.
/// Stopping closes the listeners and lets open connections finish.
/// </summary>
internal sealed class BalancerService(BalanceOptions options, BalancerPoolSet pools, SluiceMetrics metrics, TimeProvider time, ILogger<BalancerService> logger) : IHostedService, IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<ProxyLoop> _loops = [];
    private readonly FailoverLoop _failover = Failover(pools, metrics, logger, time);
    private readonly LogGate<(LoopTrouble Trouble, string Pool)> _troubles = new(time, TimeSpan.FromMinutes(1));

    /// <summary>The addresses actually bound (port 0 resolved).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listeners = new List<BalanceListener>();
        foreach (var listener in options.Listeners)
        {
            var socket = Core.Net.TcpListeners.Listen(IPEndPoint.Parse(listener.Address));
            // The loops accept on it themselves: a call that finds nothing must return at once.
            socket.Blocking = false;
            _sockets.Add(socket);
            var pool = listener.Pool ?? options.Pools[0].Name;
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            listeners.Add(new BalanceListener((int)socket.SafeHandle.DangerousGetHandle(), bound, pool));
            BalanceLog.Listening(logger, bound, pool, options.ProxyProtocol);
        }

        BoundEndpoints = [.. listeners.Select(l => l.Endpoint)];
        var threads = BalanceRuntime.SocketThreads(options.SocketThreads);
        for (var i = 0; i < threads; i++)
        {
            _loops.Add(new ProxyLoop(i + 1, listeners, options, _failover, metrics, time, logger, _troubles));
        }

        foreach (var loop in _loops)
        {
            loop.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // No loop may be in accept() on a listener when it closes (its descriptor number could be reused).
        await Task.WhenAll(_loops.Select(l => l.StopAcceptingAsync())).ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        var open = _loops.Sum(l => l.Open);
        BalanceLog.Stopping(logger, open);
        try
        {
            await Task.WhenAll(_loops.Select(l => l.DrainedAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of grace: what is still open is cut when the loops stop.
        }
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private static FailoverLoop Failover(BalancerPoolSet pools, SluiceMetrics metrics, ILogger logger, TimeProvider time)
    {
        var loop = new FailoverLoop(pools);
        var gate = new LogGate<(string Pool, string Member, MemberFault Fault)>(time, TimeSpan.FromMinutes(1));
        loop.Picked += (pool, member) => metrics.PoolSelections.Add(1, new KeyValuePair<string, object?>("pool", pool.Name), new KeyValuePair<string, object?>("member", member.Name));
        loop.Faulted += (member, fault) =>
        {
            metrics.PoolFailures.Add(1, new KeyValuePair<string, object?>("pool", member.Pool), new KeyValuePair<string, object?>("member", member.Name), new KeyValuePair<string, object?>("reason", fault.ToString()));
            if (gate.ShouldLog((member.Pool, member.Name, fault), out var unlogged))
            {
                BalanceLog.NodeFailed(logger, member.Pool, member.Name, fault.ToString(), unlogged);
            }
        };
        return loop;
    }
}
