using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Balancing;
using Sluice.Delivery.Egress;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

public sealed class WarmUpLedgerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TryTake_UpToTodaysAllowancePerProvider_ThenRefuses()
    {
        var ledger = new WarmUpLedger(_time);
        var fresh = Source(new WarmUpOptions { Start = new DateOnly(2026, 11, 30), Schedule = [2, 4] });

        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.False(ledger.TryTake(fresh, "gmail"));
        Assert.True(ledger.TryTake(fresh, "example.org")); // each provider has its own allowance
        Assert.Equal(2, ledger.Today(out _).Single(u => u.Provider == "gmail").Used);
    }

    [Fact]
    public void TryTake_NextDayAndAfterThePlan_AllowanceGrowsThenNoLimit()
    {
        var ledger = new WarmUpLedger(_time);
        var fresh = Source(new WarmUpOptions { Start = new DateOnly(2026, 11, 30), Schedule = [1, 2], Providers = { ["yahoo"] = [0] } });

        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.False(ledger.TryTake(fresh, "gmail"));
        Assert.False(ledger.TryTake(fresh, "yahoo")); // its own schedule: nothing on day 1
        Assert.False(ledger.NewDay());

        _time.Advance(TimeSpan.FromDays(1));
        Assert.True(ledger.NewDay());
        Assert.False(ledger.NewDay()); // once a day
        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.False(ledger.TryTake(fresh, "gmail"));
        Assert.True(ledger.TryTake(fresh, "yahoo")); // past yahoo's one-day schedule: warm

        _time.Advance(TimeSpan.FromDays(1));
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(ledger.TryTake(fresh, "gmail")));
    }

    [Fact]
    public void Save_ThenRestartSameDay_KeepsTheCountButNotTheNextDay()
    {
        var file = Path.Combine(_dir.Path, "warmup.json");
        var fresh = Source(new WarmUpOptions { Start = new DateOnly(2026, 11, 30), Schedule = [2, 2] });
        var ledger = new WarmUpLedger(_time, file);
        Assert.True(ledger.TryTake(fresh, "gmail"));
        Assert.True(ledger.TryTake(fresh, "gmail"));
        ledger.Save();

        Assert.False(new WarmUpLedger(_time, file).TryTake(fresh, "gmail"));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.True(new WarmUpLedger(_time, file).TryTake(fresh, "gmail"));
    }

    [Fact]
    public void Next_WeightedChoiceRefused_TakesAnotherMemberOrNone()
    {
        var fresh = Source(new WarmUpOptions { Start = new DateOnly(2026, 11, 30), Schedule = [1] });
        var warm = new EgressSource("warm", IPAddress.Loopback, null);
        var pool = new SmoothWeightedRoundRobin<EgressSource>([(fresh, 10), (warm, 1)]);
        var ledger = new WarmUpLedger(_time);

        Assert.Equal("fresh", pool.Next(s => ledger.TryTake(s, "gmail"))?.Name);
        Assert.Equal("warm", pool.Next(s => ledger.TryTake(s, "gmail"))?.Name);
        Assert.Null(pool.Next(_ => false));
    }

    private static EgressSource Source(WarmUpOptions plan) => new("fresh", IPAddress.Loopback, null, plan);
}
