using Sluice.Delivery.Scheduling;

namespace Sluice.Delivery.Tests;

public sealed class RetryScheduleTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 15)]
    [InlineData(7, 240)]
    [InlineData(20, 240)]
    public void Next_DefaultSchedule_FollowsIntervalsAndCapsAtTheLast(int attempts, int minutes)
    {
        var schedule = new RetrySchedule(new RetryOptions { Jitter = 0 }, () => 0.5);
        var now = Received.AddMinutes(30);

        Assert.Equal(now.AddMinutes(minutes), schedule.Next(attempts, Received, now));
    }

    [Fact]
    public void Next_WithJitter_StaysWithinTheSpread()
    {
        var low = new RetrySchedule(new RetryOptions { Jitter = 0.1 }, () => 0).Next(1, Received, Received);
        var high = new RetrySchedule(new RetryOptions { Jitter = 0.1 }, () => 0.999999).Next(1, Received, Received);

        Assert.Equal(Received.AddSeconds(54), low);
        Assert.True(high > Received.AddSeconds(65.9) && high <= Received.AddSeconds(66));
    }

    [Fact]
    public void Next_PastMaxAge_IsNullAndNeverBeyondExpiry()
    {
        var schedule = new RetrySchedule(new RetryOptions { MaxAge = TimeSpan.FromHours(1), Jitter = 0 }, () => 0.5);

        Assert.Equal(Received.AddHours(1), schedule.Next(7, Received, Received.AddMinutes(50)));
        Assert.Null(schedule.Next(8, Received, Received.AddHours(1)));
    }
}
