using Microsoft.Extensions.Time.Testing;
using Sluice.Delivery.Dispatch;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

public sealed class SuspensionsTests
{
    [Fact]
    public void Suspend_ByOperator_IsLoadedByTheNextInstance()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "suspensions.json");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-24T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var first = new Suspensions(time, file);

        first.Suspend("held.example", time.GetUtcNow().AddHours(1));
        var second = new Suspensions(time, file);

        Assert.Equal(time.GetUtcNow().AddHours(1), second.SuspendedUntil("held.example"));
        Assert.Null(second.SuspendedUntil("other.example"));
    }

    [Fact]
    public void Find_DomainOrSite_NamesTheSuspendedDestination()
    {
        var time = new FakeTimeProvider();
        var suspensions = new Suspensions(time);
        suspensions.Suspend("Held.Example", time.GetUtcNow().AddHours(1));
        suspensions.Suspend("mx.site.example", time.GetUtcNow().AddHours(1));

        Assert.Equal("held.example", suspensions.Find("held.example", "elsewhere"));
        Assert.Equal("mx.site.example", suspensions.Find("other.example", "mx.site.example"));
        Assert.Null(suspensions.Find("other.example", "elsewhere"));
    }

    [Fact]
    public void TakeExpired_TimeUp_ReturnsItOnceAndForgetsIt()
    {
        var time = new FakeTimeProvider();
        var suspensions = new Suspensions(time);
        suspensions.Suspend("held.example", time.GetUtcNow().AddMinutes(5));
        suspensions.Suspend("longer.example", time.GetUtcNow().AddMinutes(50));

        var early = suspensions.TakeExpired();
        time.Advance(TimeSpan.FromMinutes(6));
        var due = suspensions.TakeExpired();
        var again = suspensions.TakeExpired();

        Assert.Empty(early);
        Assert.Equal(["held.example"], due);
        Assert.Empty(again);
        Assert.NotNull(suspensions.SuspendedUntil("longer.example"));
    }

    [Fact]
    public void Load_ExpiredWhileStopped_IsDropped()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "suspensions.json");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-24T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        new Suspensions(time, file).Suspend("held.example", time.GetUtcNow().AddMinutes(5));

        time.Advance(TimeSpan.FromMinutes(6));

        Assert.Empty(new Suspensions(time, file).Snapshot());
    }

    [Fact]
    public void Resume_ByOperator_RemovesItFromTheFile()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "suspensions.json");
        var time = new FakeTimeProvider();
        var suspensions = new Suspensions(time, file);
        suspensions.Suspend("held.example", time.GetUtcNow().AddHours(1));

        Assert.True(suspensions.Resume("held.example"));

        Assert.Null(new Suspensions(time, file).SuspendedUntil("held.example"));
    }
}
