using System.Globalization;
using System.Net;

namespace Sluice.Core.Balancing;

/// <summary>
/// All pools by name, with failover from a pool to its next pool. A reload (<see cref="Apply"/>)
/// keeps every pool and member that survives it, with health, counters and work in flight.
/// </summary>
public sealed class BalancerPoolSet
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly TimeProvider _time;
    private Dictionary<string, BalancerPool> _pools = new(StringComparer.OrdinalIgnoreCase);

    public BalancerPoolSet(IEnumerable<BalancerPoolOptions> pools, TimeProvider time, Random random)
    {
        _time = time;
        _random = random;
        Apply([.. pools]);
    }

    public IReadOnlyCollection<BalancerPool> Pools => Volatile.Read(ref _pools).Values;

    /// <summary>Raised on any member's health change.</summary>
    public event Action<BalancerMember, MemberHealth, string>? HealthChanged;

    public BalancerPool? Find(string name) => Volatile.Read(ref _pools).TryGetValue(name, out var pool) ? pool : null;

    /// <summary>
    /// A member from <paramref name="pool"/>, or from the pools it fails over to, in order. When none
    /// is available anywhere and the first pool says FailOpen, a member of it chosen ignoring health.
    /// </summary>
    public MemberPick Pick(string pool, Func<BalancerMember, bool>? exclude = null)
    {
        var pools = Volatile.Read(ref _pools);
        if (!pools.TryGetValue(pool, out var first))
        {
            return MemberPick.None;
        }

        // Validation refuses cycles; the bound is a second guard.
        var current = first;
        for (var hops = 0; current is not null && hops <= pools.Count; hops++)
        {
            if (current.Pick(exclude) is { } member)
            {
                return new MemberPick(member, current, false);
            }

            current = current.Options.NextPool is { } next && pools.TryGetValue(next, out var nextPool) ? nextPool : null;
        }

        return first.Options.WhenNoneAvailable == WhenNoneAvailable.FailOpen && first.Pick(exclude, failOpen: true) is { } any
            ? new MemberPick(any, first, true)
            : MemberPick.None;
    }

    /// <summary>Installs a validated set of pools; returns one line per change (for the log and tests).</summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<BalancerPoolOptions> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var changes = new List<string>();
        lock (_lock)
        {
            var next = new Dictionary<string, BalancerPool>(StringComparer.OrdinalIgnoreCase);
            foreach (var options in pools)
            {
                if (_pools.TryGetValue(options.Name, out var kept))
                {
                    kept.Apply(options, changes);
                    next[options.Name] = kept;
                }
                else
                {
                    var pool = new BalancerPool(options, _random, _time);
                    pool.HealthChanged += (m, h, why) => HealthChanged?.Invoke(m, h, why);
                    next[options.Name] = pool;
                    changes.Add($"added pool {options.Name} ({options.Members.Count} members, {options.Policy})");
                }
            }

            foreach (var name in _pools.Keys)
            {
                if (!next.ContainsKey(name))
                {
                    changes.Add($"removed pool {name}");
                }
            }

            Volatile.Write(ref _pools, next);
        }

        return changes;
    }

    /// <summary>HOST:PORT or [IPv6]:PORT with a port from 1 to 65535.</summary>
    public static bool IsHostAndPort(string address) => Net.HostPort.TryParse(address, null, out _);
}
