using Sluice.Core.Balancing;

namespace Sluice.Core.Tests;

public sealed class SmoothWeightedRoundRobinTests
{
    [Fact]
    public void Next_Weights2And3_Give40And60PercentWithoutBursts()
    {
        var wrr = new SmoothWeightedRoundRobin<string>([("A", 2), ("B", 3)]);

        var picks = Enumerable.Range(0, 10_000).Select(_ => wrr.Next()).ToList();

        Assert.Equal(4000, picks.Count(p => p == "A"));
        Assert.Equal(6000, picks.Count(p => p == "B"));
        Assert.Equal(["B", "A", "B", "A", "B"], picks.Take(5));
        var longestRun = 1;
        for (int i = 1, run = 1; i < picks.Count; i++)
        {
            run = picks[i] == picks[i - 1] ? run + 1 : 1;
            longestRun = Math.Max(longestRun, run);
        }

        Assert.True(longestRun <= 2, $"longest run {longestRun}");
    }

    [Fact]
    public void Next_ZeroWeight_IsNeverPicked()
    {
        var wrr = new SmoothWeightedRoundRobin<string>([("drained", 0), ("live", 1)]);

        Assert.All(Enumerable.Range(0, 100).Select(_ => wrr.Next()), p => Assert.Equal("live", p));
    }

    [Fact]
    public void Create_AllZeroWeights_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SmoothWeightedRoundRobin<string>([("a", 0)]));
    }
}
