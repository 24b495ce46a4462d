namespace Sluice.Core.Balancing;

/// <summary>A named pool: members, the policy that picks among them, health checks and failover.</summary>
public sealed class BalancerPoolOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>RoundRobin, WeightedRoundRobin, LeastConnections, PowerOfTwoChoices (default), Random or First.</summary>
    public string Policy { get; set; } = LoadBalancingPolicies.Default;

    public List<BalancerMemberOptions> Members { get; set; } = [];

    /// <summary>A pool to try when no member of this one is available.</summary>
    public string? NextPool { get; set; }

    public WhenNoneAvailable WhenNoneAvailable { get; set; } = WhenNoneAvailable.Defer;

    public HealthCheckOptions HealthCheck { get; set; } = new();

    public PassiveHealthOptions Passive { get; set; } = new();
}
