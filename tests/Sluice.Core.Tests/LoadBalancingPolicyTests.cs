using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Balancing;

namespace Sluice.Core.Tests;

public sealed class LoadBalancingPolicyTests
{
    [Fact]
    public void RoundRobin_ThreeMembers_EachInTurn()
    {
        var pool = Pool("RoundRobin", new ScriptedRandom(0), ("a", 1, 1), ("b", 5, 1), ("c", 1, 1));

        Assert.Equal(["a", "b", "c", "a", "b", "c"], Picks(pool, 6));
    }

    [Fact]
    public void WeightedRoundRobin_Weights2And3_Give40And60PercentWithoutBursts()
    {
        var pool = Pool("WeightedRoundRobin", new ScriptedRandom(0), ("a", 2, 1), ("b", 3, 1));

        var picks = Picks(pool, 10_000);

        // The seed's table: 40% / 60% within one percentage point (smooth WRR makes it exact).
        Assert.InRange(picks.Count(p => p == "a"), 3_900, 4_100);
        Assert.Equal(4_000, picks.Count(p => p == "a"));
        Assert.Equal(["b", "a", "b", "a", "b"], picks.Take(5));

        // Never more in a row than the weight's share allows: b (3 of 5) at most twice, a at most once.
        for (var i = 2; i < picks.Count; i++)
        {
            Assert.False(picks[i] == "b" && picks[i - 1] == "b" && picks[i - 2] == "b", $"three b in a row at {i}");
            Assert.False(picks[i] == "a" && picks[i - 1] == "a", $"two a in a row at {i}");
        }
    }

    [Fact]
    public void LeastConnections_PicksTheLeastBusyAndTheFirstOnATie()
    {
        var pool = Pool("LeastConnections", new ScriptedRandom(0), ("a", 1, 1), ("b", 1, 1), ("c", 1, 1));
        var a = pool.Members[0].Begin();
        var b1 = pool.Members[1].Begin();
        var b2 = pool.Members[1].Begin();

        Assert.Equal("c", pool.Pick()!.Name);
        using var c = pool.Members[2].Begin();
        Assert.Equal("a", pool.Pick()!.Name); // a and c have one each: the first wins
        a.Dispose();
        b1.Dispose();
        b2.Dispose();
    }

    [Fact]
    public void PowerOfTwoChoices_DrawsTwoDistinctAndTakesTheLessBusy()
    {
        // Draws: first index 2, then 0 of the remaining two (index 0): c against a.
        var pool = Pool("PowerOfTwoChoices", new ScriptedRandom(2, 0, 0, 1), ("a", 1, 1), ("b", 1, 1), ("c", 1, 1));
        using var busyC = pool.Members[2].Begin();

        Assert.Equal("a", pool.Pick()!.Name);

        // Draws: 0 then 1 of the remaining (index 2 after skipping 0): a against c; c is busier.
        Assert.Equal("a", pool.Pick()!.Name);
    }

    [Fact]
    public void PowerOfTwoChoices_Tie_TakesTheFirstDrawn()
    {
        var pool = Pool("PowerOfTwoChoices", new ScriptedRandom(1, 0), ("a", 1, 1), ("b", 1, 1));

        Assert.Equal("b", pool.Pick()!.Name);
    }

    [Fact]
    public void Random_UsesTheInjectedSource()
    {
        var pool = Pool("Random", new ScriptedRandom(2, 0, 1), ("a", 1, 1), ("b", 1, 1), ("c", 1, 1));

        Assert.Equal(["c", "a", "b"], Picks(pool, 3));
    }

    [Fact]
    public void First_AlwaysTheFirstAvailableInConfiguredOrder()
    {
        var pool = Pool("First", new ScriptedRandom(0), ("a", 1, 1), ("b", 1, 1));

        Assert.Equal(["a", "a", "a"], Picks(pool, 3));
    }

    [Fact]
    public void Pick_ZeroWeight_IsDrainedForEveryPolicy()
    {
        foreach (var policy in LoadBalancingPolicies.Names)
        {
            var pool = Pool(policy, new ScriptedRandom(0, 1, 0, 1), ("drained", 0, 1), ("live", 1, 1));

            Assert.All(Picks(pool, 4), p => Assert.Equal("live", p));
        }
    }

    [Fact]
    public void Pick_MemberAtItsConnectionCap_IsSkipped()
    {
        var set = new BalancerPoolSet([new BalancerPoolOptions { Name = "p", Policy = "First", Members = [new() { Name = "a", Address = "127.0.0.2:25", MaxConnections = 1 }, new() { Name = "b", Address = "127.0.0.3:25" }] }], new FakeTimeProvider(), new ScriptedRandom(0));
        var pool = set.Find("p")!;

        using var lease = pool.Pick()!.Begin();

        Assert.Equal("a", lease.Member.Name);
        Assert.Equal("b", pool.Pick()!.Name);
    }

    [Fact]
    public void Validate_UnknownPolicy_NamesTheKeyAndTheKnownOnes()
    {
        var errors = new BalancerPoolsValidator("Delivery:Pools").Validate([new BalancerPoolOptions { Name = "p", Policy = "Fastest", Members = [new() { Address = "127.0.0.2:25" }] }]);

        var error = Assert.Single(errors);
        Assert.StartsWith("Delivery:Pools:0:Policy: unknown policy 'Fastest'", error, StringComparison.Ordinal);
        Assert.Contains("PowerOfTwoChoices", error, StringComparison.Ordinal);
    }

    internal static BalancerPool Pool(string policy, Random random, params (string Name, int Weight, int Tier)[] members)
    {
        var options = new BalancerPoolOptions
        {
            Name = "p",
            Policy = policy,
            Members = [.. members.Select((m, i) => new BalancerMemberOptions { Name = m.Name, Address = $"127.0.0.{i + 2}:25", Weight = m.Weight, Tier = m.Tier })],
        };
        return new BalancerPoolSet([options], new FakeTimeProvider(), random).Find("p")!;
    }

    internal static List<string> Picks(BalancerPool pool, int count)
    {
        var picks = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            picks.Add(pool.Pick()!.Name);
        }

        return picks;
    }
}
