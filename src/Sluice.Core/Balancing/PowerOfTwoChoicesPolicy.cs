namespace Sluice.Core.Balancing;

/// <summary>
/// Two members at random, the less busy of them (the first drawn on a tie): nearly as good as
/// least-connections without every picker piling onto the same idle member.
/// </summary>
internal sealed class PowerOfTwoChoicesPolicy : ILoadBalancingPolicy
{
    public string Name => "PowerOfTwoChoices";

    public BalancerMember Pick(IReadOnlyList<BalancerMember> candidates, BalancerPool pool)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var first = pool.Random.Next(candidates.Count);
        var second = pool.Random.Next(candidates.Count - 1);
        if (second >= first)
        {
            second++;
        }

        var a = candidates[first];
        var b = candidates[second];
        return b.InFlight < a.InFlight ? b : a;
    }
}
