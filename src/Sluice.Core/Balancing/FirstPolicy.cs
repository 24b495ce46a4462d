namespace Sluice.Core.Balancing;

/// <summary>The first available member in configured order: a strict preference list.</summary>
internal sealed class FirstPolicy : ILoadBalancingPolicy
{
    public string Name => "First";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool) => candidates[0];
}
