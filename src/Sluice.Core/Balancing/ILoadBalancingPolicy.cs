namespace Sluice.Core.Balancing;

/// <summary>
/// Picks one member among the available members of one tier (never empty). Called under the
/// pool's lock, so a policy may keep state in the pool or the members without locking.
/// </summary>
public interface ILoadBalancingPolicy
{
    string Name { get; }

    BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool);
}
