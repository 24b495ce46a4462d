using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Cluster;

namespace Sluice.Core.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public void Reserve_AfterBurst_SpacesEventsByTheInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var limit = new RateLimit(perSecond: 10, burst: 3, time);

        var waits = Enumerable.Range(0, 6).Select(_ => limit.Reserve()).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)], waits);
    }

    [Fact]
    public void Reserve_AfterIdleTime_AllowsABurstAgainButNoMore()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var limit = new RateLimit(perSecond: 2, burst: 2, time);
        limit.Reserve();
        limit.Reserve();

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.Zero, limit.Reserve());
        Assert.Equal(TimeSpan.Zero, limit.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(500), limit.Reserve());
    }

    [Fact]
    public async Task WaitAsync_WhenLimited_CompletesOnlyAfterTheClockMoves()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var limit = new RateLimit(perSecond: 1, burst: 1, time);
        await limit.WaitAsync(CancellationToken.None);

        var second = limit.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
