namespace Sluice.Core.Balancing;

/// <summary>Smooth weighted round robin among the available members; each member keeps its running score.</summary>
internal sealed class WeightedRoundRobinPolicy : ILoadBalancingPolicy
{
    public string Name => "WeightedRoundRobin";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool)
    {
        // Pools are small (a handful of relays or nodes): the scores fit on the stack.
        Span<int> weights = candidates.Count <= 64 ? stackalloc int[candidates.Count] : new int[candidates.Count];
        Span<long> current = candidates.Count <= 64 ? stackalloc long[candidates.Count] : new long[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            weights[i] = candidates[i].Weight;
            current[i] = candidates[i].SmoothScore;
        }

        var best = SmoothWeighted.Pick(weights, current);
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].SmoothScore = current[i];
        }

        return candidates[best];
    }
}
