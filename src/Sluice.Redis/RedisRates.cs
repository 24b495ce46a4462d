using System.Globalization;
using Sluice.Core.Cluster;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// The cluster's sender rates in Redis (ADR 0038). A sender's counts are one hash per bucket
/// width, <c>rates:WIDTH:SENDER</c>, with a field per period, node and count
/// (<c>PERIOD:NODE:s|b|c</c>): each node adds its own with HINCRBY and reads the others' back, so
/// a node never counts its own mail twice. Periods that left the window are pruned as counts are
/// added, and a hash nobody adds to expires a window after its last count. One round is one
/// pipeline: the clears, one script per sender counted, one HGETALL per sender judged.
/// </summary>
public sealed class RedisRates(RedisLink link) : ISharedRates
{
    /// <summary>KEYS[1] a sender's counts; ARGV node, oldest period kept, ttl ms, then period, sent, bounced, complained per bucket.</summary>
    private const string Add = """
        local node = ARGV[1]
        for i = 4, #ARGV, 4 do
          local p = ARGV[i] .. ':' .. node .. ':'
          if ARGV[i + 1] ~= '0' then redis.call('HINCRBY', KEYS[1], p .. 's', ARGV[i + 1]) end
          if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', KEYS[1], p .. 'b', ARGV[i + 2]) end
          if ARGV[i + 3] ~= '0' then redis.call('HINCRBY', KEYS[1], p .. 'c', ARGV[i + 3]) end
        end
        local oldest = tonumber(ARGV[2])
        for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
          local p = tonumber(string.match(f, '^(%d+):'))
          if p == nil or p < oldest then redis.call('HDEL', KEYS[1], f) end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        """;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>?> ExchangeAsync(RateExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (!link.Reachable)
        {
            return null;
        }

        var width = ((long)exchange.Width.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var ttl = (long)(exchange.Width * 61).TotalMilliseconds;
        var batch = link.Database.CreateBatch();
        var writes = new List<Task>();
        foreach (var series in exchange.Cleared)
        {
            writes.Add(batch.KeyDeleteAsync(Key(width, series)));
        }

        foreach (var (series, buckets) in exchange.Counted)
        {
            var args = new RedisValue[3 + (4 * buckets.Count)];
            args[0] = link.Node;
            args[1] = exchange.OldestPeriod;
            args[2] = ttl;
            for (var i = 0; i < buckets.Count; i++)
            {
                args[3 + (4 * i)] = buckets[i].Period;
                args[4 + (4 * i)] = buckets[i].Sent;
                args[5 + (4 * i)] = buckets[i].Bounced;
                args[6 + (4 * i)] = buckets[i].Complained;
            }

            writes.Add(batch.ScriptEvaluateAsync(Add, [Key(width, series)], args));
        }

        var reads = new List<(string Series, Task<HashEntry[]> Read)>(exchange.Wanted.Count);
        foreach (var series in exchange.Wanted)
        {
            reads.Add((series, batch.HashGetAllAsync(Key(width, series))));
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(writes).ConfigureAwait(false);
            var others = new Dictionary<string, IReadOnlyList<RateBucket>>(reads.Count, StringComparer.Ordinal);
            foreach (var (series, read) in reads)
            {
                others[series] = Others(await read.ConfigureAwait(false), exchange.OldestPeriod);
            }

            return others;
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            // Some of the round may have landed: it is not sent again (a count added twice could
            // pause a sender; one missing from the cluster's total is still in this node's own).
            link.Lost(ex);
            throw;
        }
    }

    /// <summary>The other nodes' counts by period, from a sender's hash (this node's own fields skipped).</summary>
    private List<RateBucket> Others(HashEntry[] fields, long oldest)
    {
        var byPeriod = new SortedDictionary<long, (long Sent, long Bounced, long Complained)>();
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            var first = name.IndexOf(':', StringComparison.Ordinal);
            var last = name.LastIndexOf(':');
            if (first <= 0 || last <= first || last != name.Length - 2
                || !long.TryParse(name.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out var period) || period < oldest
                || name.AsSpan(first + 1, last - first - 1).SequenceEqual(link.Node)
                || !field.Value.TryParse(out long count))
            {
                continue;
            }

            var counts = byPeriod.GetValueOrDefault(period);
            byPeriod[period] = name[^1] switch
            {
                's' => counts with { Sent = counts.Sent + count },
                'b' => counts with { Bounced = counts.Bounced + count },
                'c' => counts with { Complained = counts.Complained + count },
                _ => counts,
            };
        }

        var buckets = new List<RateBucket>(byPeriod.Count);
        foreach (var (period, counts) in byPeriod)
        {
            buckets.Add(new RateBucket(period, counts.Sent, counts.Bounced, counts.Complained));
        }

        return buckets;
    }

    private RedisKey Key(string width, string series) => link.Key(string.Concat("rates:", width, ":", series));
}
