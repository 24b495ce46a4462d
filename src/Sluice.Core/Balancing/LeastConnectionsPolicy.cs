namespace Sluice.Core.Balancing;

/// <summary>The member with the fewest connections in use (the first of them on a tie).</summary>
internal sealed class LeastConnectionsPolicy : ILoadBalancingPolicy
{
    public string Name => "LeastConnections";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool)
    {
        var best = candidates[0];
        for (var i = 1; i < candidates.Count; i++)
        {
            if (candidates[i].InFlight < best.InFlight)
            {
                best = candidates[i];
            }
        }

        return best;
    }
}
