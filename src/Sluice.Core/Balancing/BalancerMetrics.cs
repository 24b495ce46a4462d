using System.Diagnostics.Metrics;

namespace Sluice.Core.Balancing;

/// <summary>Per-member gauges of a pool set (health and work in flight), for the relay pools and the inbound balancer alike.</summary>
public static class BalancerMetrics
{
    public static void Register(Meter meter, BalancerPoolSet pools, string inFlightUnit, string inFlightDescription)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(pools);
        meter.CreateObservableGauge("sluice.pool.member.health", () => Observe(pools, m => m.Health == MemberHealth.Unhealthy ? 0 : 1), "{state}", "Pool member health: 1 takes traffic (healthy or not yet checked), 0 unhealthy, by pool and member.");
        meter.CreateObservableGauge("sluice.pool.member.in_flight", () => Observe(pools, m => m.InFlight), inFlightUnit, inFlightDescription);
    }

    private static IEnumerable<Measurement<int>> Observe(BalancerPoolSet pools, Func<BalancerMember, int> value)
    {
        foreach (var pool in pools.Pools)
        {
            foreach (var m in pool.Members)
            {
                yield return new Measurement<int>(value(m), new KeyValuePair<string, object?>("pool", pool.Name), new KeyValuePair<string, object?>("member", m.Name));
            }
        }
    }
}
