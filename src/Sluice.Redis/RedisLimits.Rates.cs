using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Core.Cluster;
using StackExchange.Redis;

namespace Sluice.Redis;

public sealed partial class RedisLimits
{
    private readonly ConcurrentDictionary<(SharedLimitKey Key, SharedRateKind Kind), RedisKey> _rateKeys = new();
    private readonly ConcurrentDictionary<(SharedLimitKey Key, SharedRateKind Kind), ShareRate> _shareRates = new();

    /// <summary>
    /// GCRA for the whole cluster: the next slot is booked in Redis (one script, Redis's clock).
    /// Redis away: a local GCRA at the node's share of the rate (rate ÷ live nodes).
    /// </summary>
    public async ValueTask<TimeSpan> ReserveAsync(SharedLimitKey key, SharedRateKind kind, double perSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        if (_link.Shared)
        {
            try
            {
                var interval = 1_000_000 / perSecond;
                var tolerance = interval * Math.Max(0, burst - 1);
                var waitMicroseconds = (long)await _link.Database.ScriptEvaluateAsync(
                    RedisScripts.Reserve,
                    [RateKey(key, kind)],
                    [interval.ToString("F0", CultureInfo.InvariantCulture), tolerance.ToString("F0", CultureInfo.InvariantCulture)]).ConfigureAwait(false);
                return TimeSpan.FromMicroseconds(waitMicroseconds);
            }
            catch (Exception ex) when (RedisLink.IsAway(ex))
            {
                _link.Lost(ex);
            }
        }

        return LocalShare(key, kind, perSecond, burst).Reserve();
    }

    /// <summary>This node's share of a rate, made anew when the rate or the number of live nodes changes.</summary>
    private RateLimit LocalShare(SharedLimitKey key, SharedRateKind kind, double perSecond, int burst)
    {
        var nodes = LiveNodes;
        var k = (key, kind);
        if (_shareRates.TryGetValue(k, out var known) && known.PerSecond == perSecond && known.Burst == burst && known.Nodes == nodes)
        {
            return known.Limit;
        }

        var fresh = new ShareRate(perSecond, burst, nodes, new RateLimit(perSecond / nodes, Math.Max(1, burst / nodes), _link.Time));
        _shareRates[k] = fresh;
        return fresh.Limit;
    }

    private RedisKey RateKey(SharedLimitKey key, SharedRateKind kind)
        => _rateKeys.GetOrAdd((key, kind), static (k, prefix) => string.Concat(prefix, k.Kind == SharedRateKind.Messages ? "rate:msg:" : "rate:conn:", Name(k.Key)), _link.Prefix);

    private sealed record ShareRate(double PerSecond, int Burst, int Nodes, RateLimit Limit);
}
