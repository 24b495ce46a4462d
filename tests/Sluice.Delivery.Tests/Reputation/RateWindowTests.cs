using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sluice.Delivery.Reputation;

namespace Sluice.Delivery.Tests.Reputation;

public sealed class RateWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sum_WithinWindow_CountsEverything()
    {
        var window = new RateWindow(TimeSpan.FromMinutes(1));
        window.Add(Start, 10, 2, 0);
        window.Add(Start.AddMinutes(30), 5, 1, 1);
        Assert.Equal(new RateTotals(15, 3, 1), window.Sum(Start.AddMinutes(30), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Sum_AfterTheWindowPassed_ForgetsOldBuckets()
    {
        var window = new RateWindow(TimeSpan.FromMinutes(1));
        window.Add(Start, 10, 2, 0);
        window.Add(Start.AddMinutes(61), 4, 0, 0);
        Assert.Equal(new RateTotals(4, 0, 0), window.Sum(Start.AddMinutes(61), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Sum_ShorterWindow_CountsOnlyItsBuckets()
    {
        var window = new RateWindow(TimeSpan.FromMinutes(1));
        window.Add(Start, 10, 10, 0);
        window.Add(Start.AddMinutes(50), 10, 0, 0);
        Assert.Equal(new RateTotals(10, 0, 0), window.Sum(Start.AddMinutes(50), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Clear_ThenSum_IsEmpty()
    {
        var window = new RateWindow(TimeSpan.FromMinutes(1));
        window.Add(Start, 10, 10, 1);
        window.Clear();
        Assert.Equal(default, window.Sum(Start, TimeSpan.FromHours(1)));
    }

    /// <summary>Whatever the order of times: the sum over the whole ring is exactly what was added in the last 60 bucket periods.</summary>
    [Property(MaxTest = 300)]
    public Property Sum_OverWholeRing_EqualsAddsInTheLastSixtyPeriods()
    {
        var adds = Gen.ListOf(Gen.Choose(0, 200).SelectMany(minute => Gen.Choose(0, 5).Select(sent => (minute, sent))));
        return Prop.ForAll(adds.ToArbitrary(), list =>
        {
            var window = new RateWindow(TimeSpan.FromMinutes(1));
            var sorted = list.OrderBy(a => a.minute).ToList();
            foreach (var (minute, sent) in sorted)
            {
                window.Add(Start.AddMinutes(minute), sent, 0, 0);
            }

            var now = sorted.Count == 0 ? 0 : sorted[^1].minute;
            var expected = sorted.Where(a => a.minute > now - RateWindow.Buckets).Sum(a => (long)a.sent);
            return window.Sum(Start.AddMinutes(now), TimeSpan.FromMinutes(RateWindow.Buckets)).Sent == expected;
        });
    }
}
