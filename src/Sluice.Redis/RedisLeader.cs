using Microsoft.Extensions.Logging;
using Sluice.Core.Cluster;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// The cluster's leader lease: one key holding a node's name for a lease's life, taken when free
/// and extended by its holder each renewal round. This node counts itself leader only until the
/// lease it last saw granted would lapse, less one renewal interval, so two nodes never both
/// believe it while their clocks run at the same speed; a leader whose Redis is away stops leading at once.
/// </summary>
public sealed class RedisLeader(RedisLink link, ILogger logger) : ILeadership
{
    private readonly RedisKey _key = link.Key("leader");
    private long _leadingUntilTicks;
    private bool _wasLeading;

    /// <summary>Also false while Redis is away or just back (a restarted Redis has forgotten the holder: another node may take it).</summary>
    public bool IsLeader => link.Shared && link.Time.GetUtcNow().UtcTicks < Interlocked.Read(ref _leadingUntilTicks);

    /// <summary>Takes or extends the lease; false when Redis did not answer.</summary>
    public async Task<bool> RenewAsync()
    {
        var asked = link.Time.GetUtcNow();
        bool leading;
        try
        {
            leading = (long)await link.Database.ScriptEvaluateAsync(
                RedisScripts.Lead,
                [_key],
                [link.Node, (long)link.Options.LeaseTtl.TotalMilliseconds]).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            link.Lost(ex);
            Interlocked.Exchange(ref _leadingUntilTicks, 0);
            Report();
            return false;
        }

        Interlocked.Exchange(ref _leadingUntilTicks, leading ? (asked + link.Options.LeaseTtl - link.Options.RenewInterval).UtcTicks : 0);
        Report();
        return true;
    }

    /// <summary>Gives the lease up (the node is stopping) so another takes over at its next round.</summary>
    public async Task ResignAsync()
    {
        Interlocked.Exchange(ref _leadingUntilTicks, 0);
        try
        {
            await link.Database.ScriptEvaluateAsync(RedisScripts.Resign, [_key], [link.Node]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            // It lapses on its own.
        }
    }

    private void Report()
    {
        var now = IsLeader;
        if (now == _wasLeading)
        {
            return;
        }

        _wasLeading = now;
        if (now)
        {
            RedisLog.Leading(logger);
        }
        else
        {
            RedisLog.NotLeading(logger);
        }
    }
}
