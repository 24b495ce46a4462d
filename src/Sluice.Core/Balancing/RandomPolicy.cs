namespace Sluice.Core.Balancing;

/// <summary>Any available member, uniformly.</summary>
internal sealed class RandomPolicy : ILoadBalancingPolicy
{
    public string Name => "Random";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool)
        => candidates[pool.Random.Next(candidates.Count)];
}
