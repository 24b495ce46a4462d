using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Balancing;

namespace Sluice.Core.Tests;

public sealed class BalancerHealthTests
{
    private static readonly ProbeResult Good = new(true, "220 ok", TimeSpan.FromMilliseconds(3));
    private static readonly ProbeResult Bad = new(false, "connection refused", TimeSpan.FromMilliseconds(1));

    [Fact]
    public void Probes_UnhealthyAfterThresholdFailuresAndBackAfterThresholdSuccesses()
    {
        var (set, _) = Set(new BalancerPoolOptions { Name = "p", HealthCheck = { UnhealthyThreshold = 2, HealthyThreshold = 2 }, Members = [Member("a", "127.0.0.2:25")] });
        var a = set.Find("p")!.Members[0];
        var changes = new List<MemberHealth>();
        set.HealthChanged += (_, h, _) => changes.Add(h);

        Assert.Equal(MemberHealth.Unknown, a.Health);
        a.RecordProbe(Bad);
        Assert.Equal(MemberHealth.Unknown, a.Health);
        a.RecordProbe(Bad);
        Assert.Equal(MemberHealth.Unhealthy, a.Health);
        Assert.False(a.IsAvailable);
        a.RecordProbe(Good);
        Assert.Equal(MemberHealth.Unhealthy, a.Health);
        a.RecordProbe(Good);
        Assert.Equal(MemberHealth.Healthy, a.Health);
        Assert.Equal([MemberHealth.Unhealthy, MemberHealth.Healthy], changes);
        Assert.Equal("220 ok", a.LastProbe?.Detail);
    }

    [Fact]
    public void Passive_FailureRateOverThreshold_RestsThenReturnsOnlyAfterAGoodProbe()
    {
        var (set, time) = Set(new BalancerPoolOptions
        {
            Name = "p",
            Passive = { MinimumSamples = 4, FailureRate = 0.5, ReactivationPeriod = TimeSpan.FromSeconds(30) },
            Members = [Member("a", "127.0.0.2:25")],
        });
        var a = set.Find("p")!.Members[0];

        a.ReportSuccess();
        a.ReportSuccess();
        a.ReportFault(MemberFault.ConnectFailed);
        Assert.Equal(MemberHealth.Unknown, a.PassiveHealth); // 3 samples: below the minimum
        a.ReportFault(MemberFault.Timeout);
        Assert.Equal(MemberHealth.Unhealthy, a.PassiveHealth); // 2 of 4 failed

        a.RecordProbe(Good);
        Assert.Equal(MemberHealth.Unhealthy, a.Health); // still resting
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(MemberHealth.Unhealthy, a.Health); // rest over, waits for a probe
        a.RecordProbe(Good);
        Assert.Equal(MemberHealth.Healthy, a.Health);
    }

    [Fact]
    public void Passive_WithoutActiveChecks_ReturnsAfterTheRest()
    {
        var (set, time) = Set(new BalancerPoolOptions
        {
            Name = "p",
            HealthCheck = { Enabled = false },
            Passive = { MinimumSamples = 2, ReactivationPeriod = TimeSpan.FromSeconds(10) },
            Members = [Member("a", "127.0.0.2:25")],
        });
        var a = set.Find("p")!.Members[0];

        a.ReportFault(MemberFault.Dropped);
        a.ReportFault(MemberFault.Throttled);
        Assert.False(a.IsAvailable);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(a.IsAvailable);
        Assert.Equal(MemberHealth.Unknown, a.Health);
    }

    [Fact]
    public void Passive_OldFailuresFallOutOfTheWindow()
    {
        var (set, time) = Set(new BalancerPoolOptions { Name = "p", Passive = { MinimumSamples = 3, Window = TimeSpan.FromSeconds(10) }, Members = [Member("a", "127.0.0.2:25")] });
        var a = set.Find("p")!.Members[0];

        a.ReportFault(MemberFault.ConnectFailed);
        a.ReportFault(MemberFault.ConnectFailed);
        time.Advance(TimeSpan.FromSeconds(11));
        a.ReportFault(MemberFault.ConnectFailed);

        Assert.Equal(MemberHealth.Unknown, a.PassiveHealth);
        Assert.Equal(1.0, a.RecentFailureRate);
    }

    [Fact]
    public void Tiers_StandbyTakesOverWhenActiveTierIsDownAndGivesBackOnRecovery()
    {
        var (set, _) = Set(new BalancerPoolOptions
        {
            Name = "p",
            Policy = "RoundRobin",
            Members = [Member("a1", "127.0.0.2:25"), Member("a2", "127.0.0.3:25"), Member("standby", "127.0.0.4:25", tier: 2)],
        });
        var pool = set.Find("p")!;
        Assert.Equal(["a1", "a2", "a1", "a2"], LoadBalancingPolicyTests.Picks(pool, 4)); // active-active

        Down(pool.Members[0]);
        Assert.Equal(["a2", "a2"], LoadBalancingPolicyTests.Picks(pool, 2));
        Down(pool.Members[1]);
        Assert.Equal(["standby", "standby"], LoadBalancingPolicyTests.Picks(pool, 2)); // active-passive

        pool.Members[0].RecordProbe(Good);
        Assert.Equal(["a1", "a1"], LoadBalancingPolicyTests.Picks(pool, 2)); // failback
    }

    [Fact]
    public void NextPool_WhenNothingIsAvailable_FailsOverInOrderThenDefersOrFailsOpen()
    {
        var (set, _) = Set(
            new BalancerPoolOptions { Name = "primary", NextPool = "backup", Members = [Member("p1", "127.0.0.2:25")] },
            new BalancerPoolOptions { Name = "backup", Members = [Member("b1", "127.0.0.3:25")] },
            new BalancerPoolOptions { Name = "lonely", WhenNoneAvailable = WhenNoneAvailable.FailOpen, Members = [Member("l1", "127.0.0.4:25")] });

        Assert.Equal("p1", set.Pick("primary").Member?.Name);
        Down(set.Find("primary")!.Members[0]);
        var failover = set.Pick("primary");
        Assert.Equal("b1", failover.Member?.Name);
        Assert.Equal("backup", failover.Pool?.Name);
        Down(set.Find("backup")!.Members[0]);
        Assert.Null(set.Pick("primary").Member); // Defer

        Down(set.Find("lonely")!.Members[0]);
        var open = set.Pick("lonely");
        Assert.Equal("l1", open.Member?.Name);
        Assert.True(open.FailedOpen);
    }

    [Fact]
    public void Pick_ExcludingTriedMembers_MovesOnToTheNext()
    {
        var (set, _) = Set(new BalancerPoolOptions { Name = "p", Policy = "First", Members = [Member("a", "127.0.0.2:25"), Member("b", "127.0.0.3:25")] });

        var tried = new HashSet<string> { "a" };

        Assert.Equal("b", set.Pick("p", m => tried.Contains(m.Name)).Member?.Name);
    }

    [Fact]
    public void Apply_Reload_KeepsStateOfSurvivorsAndReportsTheDiff()
    {
        var (set, _) = Set(new BalancerPoolOptions { Name = "p", Members = [Member("a", "127.0.0.2:25"), Member("b", "127.0.0.3:25"), Member("c", "127.0.0.4:25")] });
        var a = set.Find("p")!.Members[0];
        Down(a);
        using var inFlight = a.Begin();

        var changes = set.Apply([
            new BalancerPoolOptions
            {
                Name = "p",
                Policy = "WeightedRoundRobin",
                Members = [Member("a", "127.0.0.2:25", weight: 3), Member("c", "127.0.0.9:25"), Member("d", "127.0.0.5:25")],
            },
            new BalancerPoolOptions { Name = "q", Members = [Member("x", "127.0.0.6:25")] },
        ]);

        var pool = set.Find("p")!;
        Assert.Same(a, pool.Members[0]);
        Assert.Equal(3, a.Weight);
        Assert.Equal(MemberHealth.Unhealthy, a.Health);
        Assert.Equal(1, a.InFlight);
        Assert.Equal(["a", "c", "d"], pool.Members.Select(m => m.Name));
        Assert.Equal("127.0.0.9:25", pool.Members[1].Address);
        Assert.Equal("WeightedRoundRobin", pool.Policy.Name);
        Assert.Contains(changes, c => c.StartsWith("changed p/a: weight 1→3", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.StartsWith("removed p/b", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.StartsWith("added p/c (127.0.0.9:25)", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.StartsWith("added p/d", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.StartsWith("added pool q", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.StartsWith("policy of p", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadPools_NameEveryKey()
    {
        var errors = new BalancerPoolsValidator("Delivery:Pools").Validate([
                new BalancerPoolOptions { Name = "a", NextPool = "b", Members = [new() { Address = "nohost", Weight = -1, Tier = 0 }] },
                new BalancerPoolOptions { Name = "b", NextPool = "a", Members = [] },
                new BalancerPoolOptions { Name = "c", NextPool = "missing", Members = [Member("x", "127.0.0.2:25"), Member("x", "127.0.0.3:25")], Passive = { FailureRate = 2 } },
            ]);

        Assert.Contains("Delivery:Pools:0:Members:0:Address: 'nohost' is not HOST:PORT", errors);
        Assert.Contains(errors, e => e.StartsWith("Delivery:Pools:0:Members:0:Weight:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Delivery:Pools:0:Members:0:Tier:", StringComparison.Ordinal));
        Assert.Contains("Delivery:Pools:1:Members: a pool needs at least one member", errors);
        Assert.Contains("Delivery:Pools:0:NextPool: failover from 'a' comes back to it", errors);
        Assert.Contains("Delivery:Pools:2:NextPool: no pool named 'missing'", errors);
        Assert.Contains(errors, e => e.StartsWith("Delivery:Pools:2:Members:1:Name:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Delivery:Pools:2:Passive:FailureRate:", StringComparison.Ordinal));
    }

    private static void Down(BalancerMember member)
    {
        member.RecordProbe(Bad);
        member.RecordProbe(Bad);
        Assert.False(member.IsAvailable);
    }

    private static BalancerMemberOptions Member(string name, string address, int tier = 1, int weight = 1)
        => new() { Name = name, Address = address, Tier = tier, Weight = weight };

    private static (BalancerPoolSet Set, FakeTimeProvider Time) Set(params BalancerPoolOptions[] pools)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-24T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        return (new BalancerPoolSet(pools, time, new ScriptedRandom(0)), time);
    }
}
