using System.Globalization;

namespace Sluice.Core.Balancing;

/// <summary>
/// A list of balancing pools (relay pools under <c>Delivery:Pools</c>, the front door's under
/// <c>Balance:Pools</c>): names, policies, members, health checks and failover chains, every error
/// named by its key under <paramref name="prefix"/>.
/// </summary>
public sealed class BalancerPoolsValidator(string prefix)
{
    /// <summary>Config problems as "key: reason" lines; <paramref name="prefix"/> is the list's key.</summary>
    public List<string> Validate(IReadOnlyList<BalancerPoolOptions> pools)
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
            if (!BalancerPoolSet.IsHostAndPort(member.Address))
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
