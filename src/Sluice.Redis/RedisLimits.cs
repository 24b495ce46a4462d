using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Core.Cluster;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// The cluster's connection and rate limits in Redis (issue 14). A connection lease is a member of
/// a sorted set per site × source, scored by when it lapses: taking one drops lapsed members and
/// adds this one only under the limit, in one script; the node renews what it holds every third
/// of the lease's life, so a node that dies frees its share within <see cref="RedisOptions.LeaseTtl"/>
/// (its connections closed when its process did). A node whose renewal came too late (a stalled
/// process) finds its lease gone and, if another node took the place meanwhile, revoked: one of
/// its connections closes after its message. Without Redis — or just after it came back —
/// the node keeps to its share: the limit ÷ the nodes last seen alive (at least one), so the
/// nodes together still stay within it.
/// </summary>
public sealed partial class RedisLimits : ISharedLimits
{
    private readonly RedisLink _link;
    private readonly RedisOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SharedLease> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<SharedLimitKey, int> _heldPerKey = [];
    private readonly ConcurrentDictionary<SharedLimitKey, LeaseKeys> _leaseKeys = new();
    private readonly ConcurrentDictionary<SharedLimitKey, bool> _wanted = new();
    private readonly ConcurrentDictionary<SharedLimitKey, int> _maxPerKey = new();
    private readonly Dictionary<SharedLimitKey, HashSet<string>> _revoked = [];
    private readonly string _ttlMs;
    private readonly string _waiterTtlMs;
    private long _next;
    private int _liveNodes = 1;
    private int _revokedCount;

    public RedisLimits(RedisLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        _link = link;
        _options = link.Options;
        _ttlMs = ((long)_options.LeaseTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

        // A node in line for a lease asks again every LeaseRetry; one that has not asked for five of those has stopped waiting.
        _waiterTtlMs = ((long)Math.Max(1000, 5 * _options.LeaseRetry.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        link.Restored += () => _ = RenewAsync();
    }

    public TimeSpan RetryAfter => _options.LeaseRetry;

    /// <summary>Nodes that beat within a lease's life, as last counted in Redis (at least one): what a share divides by.</summary>
    public int LiveNodes
    {
        get => Volatile.Read(ref _liveNodes);
        set => Volatile.Write(ref _liveNodes, Math.Max(1, value));
    }

    /// <summary>Leases this node holds that Redis no longer counts (their renewal came after another node took their place): connections about to close.</summary>
    public int Revoked => Volatile.Read(ref _revokedCount);

    /// <summary>Leases this node holds now.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// Not shared: this node's share. Shared: no bound beyond the leases, unless some that this
    /// node holds of <paramref name="key"/> are revoked — then only the ones counted in Redis.
    /// </summary>
    public int? ShareOf(SharedLimitKey key, int max)
    {
        if (!_link.Shared)
        {
            return Share(max);
        }

        if (Volatile.Read(ref _revokedCount) == 0)
        {
            return null;
        }

        lock (_lock)
        {
            return _revoked.TryGetValue(key, out var revoked) ? _heldPerKey.GetValueOrDefault(key) - revoked.Count : null;
        }
    }

    /// <summary>This node's share of a limit of <paramref name="max"/> while the limit cannot be shared (at least one, so mail still moves).</summary>
    public int Share(int max) => Math.Max(1, max / LiveNodes);

    /// <summary>
    /// Shared: the script decides. Otherwise this node's share decides — and where Redis answers
    /// (just back, not every node has put its leases back yet) the script must agree as well, so a
    /// node still on its share never takes what a node already shared again has counted.
    /// </summary>
    public async ValueTask<SharedLease?> TryLeaseAsync(SharedLimitKey key, int max)
    {
        var lease = new SharedLease(key, string.Concat(_link.Node, "#", Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture)));
        _maxPerKey[key] = max;
        if (_link.Shared)
        {
            if (HasRevoked(key))
            {
                // Already more connections than this node's places in Redis: none more until those have closed.
                return null;
            }

            switch (await TryRegisterAsync(lease, max).ConfigureAwait(false))
            {
                case true:
                    var holding = Hold(lease);
                    RedisLog.Granted(_link.Logger, lease.Id, key, 0, holding);
                    return lease;
                case false:
                    return null;
            }

            // Redis failed on the way: this node's share from now.
        }

        // Held here before Redis is asked, so that concurrent asks on this node count each other.
        if (!TryHoldShare(lease, max))
        {
            return null;
        }

        if (_link.Reachable && await TryRegisterAsync(lease, max).ConfigureAwait(false) == false)
        {
            Release(lease);
            return null;
        }

        return lease;
    }

    /// <summary>The acquire script: true granted (and counted in Redis), false refused, null Redis did not answer.</summary>
    private async Task<bool?> TryRegisterAsync(SharedLease lease, int max)
    {
        try
        {
            var keys = KeysOf(lease.Key);
            return (long)await _link.Database.ScriptEvaluateAsync(
                RedisScripts.Acquire,
                [keys.Leases, keys.FirstAsks, keys.LastAsks],
                [max, lease.Id, _ttlMs, _link.Node, _waiterTtlMs]).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            _link.Lost(ex);
            return null;
        }
    }

    /// <summary>Holds <paramref name="lease"/> if this node is within its share and not settling after an outage.</summary>
    private bool TryHoldShare(SharedLease lease, int max)
    {
        var share = Share(max);
        lock (_lock)
        {
            // Just lost: nodes that held more than their share give it back first, so no new lease for a while.
            var held = _heldPerKey.GetValueOrDefault(lease.Key);
            if (_link.Settling || held >= share)
            {
                return false;
            }

            HoldLocked(lease);
            RedisLog.Granted(_link.Logger, lease.Id, lease.Key, share, held + 1);
            return true;
        }
    }

    public void Release(SharedLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        string? successor = null;
        var counted = true;
        lock (_lock)
        {
            if (!_held.Remove(lease.Id))
            {
                return;
            }

            // A connection closed while some of this key's are revoked: the one closed (whichever
            // lease its queue gives back: they are alike) ends one revoked connection's overrun.
            if (_revoked.TryGetValue(lease.Key, out var revoked))
            {
                counted = !revoked.Remove(lease.Id);
                if (counted)
                {
                    successor = revoked.First();
                    revoked.Remove(successor);
                }

                _revokedCount--;
                if (revoked.Count == 0)
                {
                    _revoked.Remove(lease.Key);
                }
            }

            var left = _heldPerKey[lease.Key] - 1;
            RedisLog.Released(_link.Logger, lease.Id, lease.Key, left);
            if (left == 0)
            {
                _heldPerKey.Remove(lease.Key);
                _wanted.TryRemove(lease.Key, out _);
            }
            else
            {
                _heldPerKey[lease.Key] = left;
            }
        }

        // A revoked lease given back was not counted in Redis: nothing to remove there.
        if (counted && _link.Reachable)
        {
            try
            {
                var leases = KeysOf(lease.Key).Leases;
                if (successor is null)
                {
                    _link.Database.SortedSetRemove(leases, lease.Id, CommandFlags.FireAndForget);
                }
                else
                {
                    _link.Database.ScriptEvaluate(RedisScripts.HandOver, [leases], [lease.Id, successor], CommandFlags.FireAndForget);
                }
            }
            catch (Exception ex) when (RedisLink.IsAway(ex))
            {
                // It lapses on its own.
            }
        }
    }

    /// <summary>Every lease held is renewed (put back if Redis lost it) until a lease's life from now; false when Redis did not answer.</summary>
    public async Task<bool> RenewAsync()
    {
        Dictionary<SharedLimitKey, List<RedisValue>> byKey = [];
        lock (_lock)
        {
            foreach (var lease in _held.Values)
            {
                if (!byKey.TryGetValue(lease.Key, out var ids))
                {
                    byKey[lease.Key] = ids = [];
                }

                ids.Add(lease.Id);
            }
        }

        var rounds = new List<Task<bool>>(byKey.Count);
        foreach (var (key, ids) in byKey)
        {
            rounds.Add(PutBackAsync(key, ids));
        }

        var ok = true;
        foreach (var round in rounds)
        {
            ok &= await round.ConfigureAwait(false);
        }

        return ok;
    }

    /// <summary>Gives back every lease held (the node is stopping): they need not wait to lapse.</summary>
    public void ReleaseAll()
    {
        List<SharedLease> all;
        lock (_lock)
        {
            all = [.. _held.Values];
        }

        foreach (var lease in all)
        {
            Release(lease);
        }
    }

    /// <summary>Another node waits in line for <paramref name="key"/>, as of the last renewal: idle connections should give their leases back.</summary>
    public bool IsWanted(SharedLimitKey key) => _wanted.TryGetValue(key, out var wanted) && wanted;

    private async Task<bool> PutBackAsync(SharedLimitKey key, List<RedisValue> ids)
    {
        try
        {
            var keys = KeysOf(key);
            var max = _maxPerKey.GetValueOrDefault(key, ids.Count);
            var sent = ids.ToArray();
            ids.InsertRange(0, [_ttlMs, _link.Node, _waiterTtlMs, max]);
            var result = (RedisResult[])(await _link.Database.ScriptEvaluateAsync(RedisScripts.Renew, [keys.Leases, keys.FirstAsks, keys.LastAsks], [.. ids]).ConfigureAwait(false))!;
            _wanted[key] = (long)result[0] > 0;
            Reconcile(key, sent, result);
            return true;
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            _link.Lost(ex);
            return false;
        }
    }

    /// <summary>
    /// After a renewal of <paramref name="key"/>'s <paramref name="sent"/> ids: those Redis had no
    /// room for (<paramref name="result"/> after its first item) are revoked; the others are counted
    /// there, revoked ones included that found room again (a lease given back elsewhere).
    /// </summary>
    private void Reconcile(SharedLimitKey key, RedisValue[] sent, RedisResult[] result)
    {
        if (result.Length == 1 && !HasRevoked(key))
        {
            return;
        }

        HashSet<string> lost = new(StringComparer.Ordinal);
        for (var i = 1; i < result.Length; i++)
        {
            lost.Add((string)result[i]!);
        }

        lock (_lock)
        {
            _revoked.TryGetValue(key, out var revoked);
            foreach (var value in sent)
            {
                var id = (string)value!;
                if (!lost.Contains(id))
                {
                    if (revoked is not null && revoked.Remove(id))
                    {
                        _revokedCount--;
                    }
                }
                else if (_held.ContainsKey(id) && (revoked ??= _revoked[key] = new HashSet<string>(StringComparer.Ordinal)).Add(id))
                {
                    _revokedCount++;
                    RedisLog.Revoked(_link.Logger, id, key, _heldPerKey.GetValueOrDefault(key) - revoked.Count);
                }
            }

            if (revoked is { Count: 0 })
            {
                _revoked.Remove(key);
            }
        }
    }

    private bool HasRevoked(SharedLimitKey key)
    {
        if (Volatile.Read(ref _revokedCount) == 0)
        {
            return false;
        }

        lock (_lock)
        {
            return _revoked.ContainsKey(key);
        }
    }

    /// <summary>Holds <paramref name="lease"/>; how many of its key this node holds now.</summary>
    private int Hold(SharedLease lease)
    {
        lock (_lock)
        {
            HoldLocked(lease);
            return _heldPerKey[lease.Key];
        }
    }

    private void HoldLocked(SharedLease lease)
    {
        _held[lease.Id] = lease;
        _heldPerKey[lease.Key] = _heldPerKey.GetValueOrDefault(lease.Key) + 1;
    }

    private LeaseKeys KeysOf(SharedLimitKey key) => _leaseKeys.GetOrAdd(key, static (k, prefix) =>
    {
        var name = Name(k);
        return new LeaseKeys(string.Concat(prefix, "conn:", name), string.Concat(prefix, "wait:", name), string.Concat(prefix, "asked:", name));
    }, _link.Prefix);

    /// <summary>The one written form of a limit's key in Redis: <c>site|domain|source</c> (host names hold no '|').</summary>
    internal static string Name(SharedLimitKey key) => string.Concat(key.Site, "|", key.Domain, "|", key.Source);

    /// <summary>A limit's keys in Redis: its leases, and its line of waiting nodes (first and last asks).</summary>
    private sealed record LeaseKeys(RedisKey Leases, RedisKey FirstAsks, RedisKey LastAsks);
}
