namespace Sluice.Core.Balancing;

/// <summary>Each available member in turn, ignoring weights.</summary>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    public string Name => "RoundRobin";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool)
        => candidates[(int)(pool.NextRoundRobin() % (uint)candidates.Count)];
}
