using Sluice.Delivery.Queues;

namespace Sluice.Delivery.Tests;

public sealed class SlowStartWindowTests
{
    [Fact]
    public void Succeeded_FromInitial_GrowsByOneUpToMax()
    {
        var window = new SlowStartWindow(initial: 2, max: 4);

        var seen = new List<int> { window.Limit };
        for (var i = 0; i < 4; i++)
        {
            window.Succeeded();
            seen.Add(window.Limit);
        }

        Assert.Equal([2, 3, 4, 4, 4], seen);
    }

    [Fact]
    public void Failed_Repeatedly_HalvesToOneAndCountsInARow()
    {
        var window = new SlowStartWindow(initial: 8, max: 8);

        var counts = new List<int> { window.Failed(), window.Failed(), window.Failed(), window.Failed() };

        Assert.Equal([1, 2, 3, 4], counts);
        Assert.Equal(1, window.Limit);
    }

    [Fact]
    public void Throttled_HalvesWithoutCountingTowardsARest()
    {
        var window = new SlowStartWindow(initial: 8, max: 8);
        window.Failed();

        window.Throttled();

        Assert.Equal(2, window.Limit);
        Assert.Equal(1, window.ConsecutiveFailures);
    }

    [Fact]
    public void Succeeded_AfterFailures_ResetsTheCount()
    {
        var window = new SlowStartWindow(initial: 2, max: 4);
        window.Failed();
        window.Failed();

        window.Succeeded();

        Assert.Equal(0, window.ConsecutiveFailures);
    }

    [Fact]
    public void Reconfigure_LowerMax_ClampsWhatWasLearnedAndHigherMaxKeepsIt()
    {
        var window = new SlowStartWindow(initial: 6, max: 10);

        window.Reconfigure(4);
        var lowered = window.Limit;
        window.Reconfigure(20);

        Assert.Equal(4, lowered);
        Assert.Equal(4, window.Limit);
    }

    [Fact]
    public void Restart_AfterRest_StartsFromInitialAgain()
    {
        var window = new SlowStartWindow(initial: 2, max: 10);
        for (var i = 0; i < 5; i++)
        {
            window.Failed();
        }

        window.Restart(3);

        Assert.Equal(3, window.Limit);
        Assert.Equal(0, window.ConsecutiveFailures);
    }
}
