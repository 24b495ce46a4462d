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

    /// <summary>Config problems as "key: reason" lines; <paramref name="prefix"/> is the list's key.</summary>
    public static List<string> Validate(IReadOnlyList<BalancerPoolOptions> pools, string prefix)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < pools.Count; i++)
        {
            var pool = pools[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"{prefix}:{i}");
            if (string.IsNullOrWhiteSpace(pool.Name) || !names.Add(pool.Name))
            {
                errors.Add($"{key}:Name: missing or used by another pool");
            }

            if (!LoadBalancingPolicies.TryGet(pool.Policy, out _))
            {
                errors.Add($"{key}:Policy: unknown policy '{pool.Policy}' (one of {string.Join(", ", LoadBalancingPolicies.Names)})");
            }

            if (pool.Members.Count == 0)
            {
                errors.Add($"{key}:Members: a pool needs at least one member");
            }

            ValidateMembers(pool, key, errors);
            ValidateHealth(pool, key, errors);
        }

        foreach (var pool in pools)
        {
            if (pool.NextPool is { } next && !names.Contains(next))
            {
                errors.Add($"{prefix}:{IndexOf(pools, pool)}:NextPool: no pool named '{next}'");
            }
            else if (HasCycle(pools, pool))
            {
                errors.Add($"{prefix}:{IndexOf(pools, pool)}:NextPool: failover from '{pool.Name}' comes back to it");
            }
        }

        return errors;
    }

    private static void ValidateMembers(BalancerPoolOptions pool, string key, List<string> errors)
    {
        var memberNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var j = 0; j < pool.Members.Count; j++)
        {
            var member = pool.Members[j];
            var memberKey = string.Create(CultureInfo.InvariantCulture, $"{key}:Members:{j}");
            if (!IsHostAndPort(member.Address))
            {
                errors.Add($"{memberKey}:Address: '{member.Address}' is not HOST:PORT");
            }

            if (!memberNames.Add(member.EffectiveName))
            {
                errors.Add($"{memberKey}:Name: '{member.EffectiveName}' is used by another member of the pool");
            }

            if (member.Weight < 0)
            {
                errors.Add($"{memberKey}:Weight: must not be negative (0 drains the member)");
            }

            if (member.Tier < 1)
            {
                errors.Add($"{memberKey}:Tier: must be at least 1");
            }

            if (member.MaxConnections < 0)
            {
                errors.Add($"{memberKey}:MaxConnections: must not be negative (0 for no cap)");
            }
        }
    }

    private static void ValidateHealth(BalancerPoolOptions pool, string key, List<string> errors)
    {
        var health = pool.HealthCheck;
        if (health.Interval <= TimeSpan.Zero || health.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:HealthCheck: Interval and Timeout must be positive");
        }

        if (health.HealthyThreshold < 1 || health.UnhealthyThreshold < 1)
        {
            errors.Add($"{key}:HealthCheck: HealthyThreshold and UnhealthyThreshold must be at least 1");
        }

        var passive = pool.Passive;
        if (passive.Window <= TimeSpan.Zero || passive.ReactivationPeriod <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Passive: Window and ReactivationPeriod must be positive");
        }

        if (passive.MinimumSamples < 1)
        {
            errors.Add($"{key}:Passive:MinimumSamples: must be at least 1");
        }

        if (passive.FailureRate is <= 0 or > 1)
        {
            errors.Add($"{key}:Passive:FailureRate: a share above 0 and at most 1");
        }
    }

    /// <summary>HOST:PORT or [IPv6]:PORT with a port from 1 to 65535.</summary>
    public static bool IsHostAndPort(string address) => Net.HostPort.TryParse(address, null, out _);

    private static int IndexOf(IReadOnlyList<BalancerPoolOptions> pools, BalancerPoolOptions pool)
    {
        for (var i = 0; i < pools.Count; i++)
        {
            if (ReferenceEquals(pools[i], pool))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasCycle(IReadOnlyList<BalancerPoolOptions> pools, BalancerPoolOptions start)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { start.Name };
        var current = start;
        while (current.NextPool is { } next)
        {
            if (!seen.Add(next))
            {
                return string.Equals(next, start.Name, StringComparison.OrdinalIgnoreCase);
            }

            current = pools.FirstOrDefault(p => string.Equals(p.Name, next, StringComparison.OrdinalIgnoreCase));
            if (current is null)
            {
                return false;
            }
        }

        return false;
    }
}
