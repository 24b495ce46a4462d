using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// Each renewal interval (a third of a lease's life), and at once when Redis comes back: this
/// node beats in the node set (which says how many nodes share a limit when Redis is away),
/// renews the connection leases it holds, and takes or extends the leader lease. At stop it gives
/// its leases and the leader lease back, so the others need not wait for them to lapse.
/// </summary>
public sealed class RedisHeartbeat(RedisLink link, RedisLimits limits, RedisLeader leader, ILogger<RedisHeartbeat> logger) : BackgroundService
{
    private readonly RedisKey _nodes = link.Key("nodes");
    private readonly RedisKey _begun = link.Key("nodes:begun");
    private readonly SemaphoreSlim _now = new(0, 1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        link.Restored += Wake;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        link.Restored -= Wake;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        limits.ReleaseAll();
        await leader.ResignAsync().ConfigureAwait(false);
    }

    /// <summary>One round: beat, renew, lead.</summary>
    public async Task RoundAsync()
    {
        try
        {
            var beat = (RedisResult[])(await link.Database.ScriptEvaluateAsync(
                RedisScripts.Beat,
                [_nodes, _begun],
                [link.Node, (long)link.Options.LeaseTtl.TotalMilliseconds]).ConfigureAwait(false))!;
            var live = (int)beat[0];
            var setAge = TimeSpan.FromMilliseconds((long)beat[1]);
            var complete = setAge >= link.Options.LeaseTtl;
            link.Beaten(setAge);

            // A set begun less than a lease's life ago (Redis restarted) may not have heard from every node yet: it can only raise the count.
            limits.LiveNodes = complete ? live : Math.Max(live, limits.LiveNodes);
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            link.Lost(ex);
        }

        await limits.RenewAsync().ConfigureAwait(false);
        await leader.RenewAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RedisLog.RenewFailed(logger, ex);
            }

            using var interval = new CancellationTokenSource(link.Options.RenewInterval, link.Time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(interval.Token, stoppingToken);
            try
            {
                await _now.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The interval is up.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _now.Dispose();
        base.Dispose();
    }

    private void Wake()
    {
        try
        {
            _now.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is already due.
        }
    }
}
