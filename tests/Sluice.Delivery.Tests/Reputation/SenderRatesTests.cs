using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Cluster;
using Sluice.Delivery.Reputation;

namespace Sluice.Delivery.Tests.Reputation;

/// <summary>Sharing a node's sender counts with the cluster (ADR 0038).</summary>
public sealed class SenderRatesTests
{
    private static readonly SenderKey News = new(SenderScope.SenderDomain, "news.example");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TakeExchange_CountsSinceTheLastOne_HandedOverOnce()
    {
        var rates = Sharing();
        rates.Add(Sender(), 3, 1, 0);
        _time.Advance(TimeSpan.FromMinutes(2));
        rates.Add(Sender(), 2, 0, 1);

        var first = rates.TakeExchange(_ => true);
        var second = rates.TakeExchange(_ => true);

        var (series, buckets) = Assert.Single(first.Counted);
        Assert.Equal(News.ToString(), series);
        Assert.Equal((5L, 1L, 1L), (buckets.Sum(b => b.Sent), buckets.Sum(b => b.Bounced), buckets.Sum(b => b.Complained)));
        Assert.Equal(2, buckets.Count);
        Assert.Equal([News.ToString()], first.Wanted);
        Assert.Empty(second.Counted);
        Assert.Empty(second.Wanted);
        Assert.Equal(new RateTotals(5, 1, 1), rates.Totals(News, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Received_OtherNodesCounts_AddedToThisNodesTotalsUntilForgotten()
    {
        var rates = Sharing();
        rates.Add(Sender(), 4, 1, 0);
        var exchange = rates.TakeExchange(_ => true);

        rates.Received(exchange, new Dictionary<string, IReadOnlyList<RateBucket>> { [News.ToString()] = [new(Now(rates), 6, 2, 1)] });

        Assert.Equal(new RateTotals(10, 3, 1), rates.Totals(News, TimeSpan.FromHours(1)));
        Assert.Contains(rates.Snapshot(TimeSpan.FromHours(1)), s => s.Totals == new RateTotals(10, 3, 1));
        rates.ForgetOthers();
        Assert.Equal(new RateTotals(4, 1, 0), rates.Totals(News, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void TakeExchange_SenderNoBrakeJudges_NotAskedFor()
    {
        var rates = Sharing();
        rates.Add(Sender(), 1, 0, 0);

        Assert.Empty(rates.TakeExchange(_ => false).Wanted);
    }

    [Fact]
    public void Unsent_ExchangeThatDidNotHappen_ItsCountsAndClearsGoWithTheNext()
    {
        var rates = Sharing();
        rates.Add(Sender(), 3, 1, 0);
        rates.Clear(new SenderKey(SenderScope.Tag, "spring"));
        var failed = rates.TakeExchange(_ => true);
        rates.Unsent(failed);
        rates.Add(Sender(), 1, 0, 0);

        var next = rates.TakeExchange(_ => true);

        Assert.Equal(4, Assert.Single(next.Counted).Buckets.Sum(b => b.Sent));
        Assert.Equal(["tag:spring"], next.Cleared);
    }

    [Fact]
    public void Clear_WhileSharing_DropsTheOthersCountsAndTheUnsentAndIsHandedOver()
    {
        var rates = Sharing();
        rates.Add(Sender(), 3, 1, 0);
        var exchange = rates.TakeExchange(_ => true);
        rates.Received(exchange, new Dictionary<string, IReadOnlyList<RateBucket>> { [News.ToString()] = [new(Now(rates), 6, 2, 1)] });
        rates.Add(Sender(), 1, 1, 0);

        rates.Clear(News);
        var next = rates.TakeExchange(_ => true);

        Assert.Equal(default, rates.Totals(News, TimeSpan.FromHours(1)));
        Assert.Equal([News.ToString()], next.Cleared);
        Assert.Empty(next.Counted);
    }

    [Fact]
    public void Add_NotSharing_KeepsNothingForAnExchange()
    {
        var rates = new SenderRates(new ReputationOptions(), _time);
        rates.Add(Sender(), 3, 1, 0);
        rates.Clear(News);

        var exchange = rates.TakeExchange(_ => true);

        Assert.Empty(exchange.Counted);
        Assert.Empty(exchange.Cleared);
    }

    private static SenderIdentity Sender() => new("news.example", null, null);

    private static long Now(SenderRates rates) => rates.OldestPeriod() + RateWindow.Buckets - 1;

    private SenderRates Sharing()
    {
        var rates = new SenderRates(new ReputationOptions(), _time);
        rates.StartSharing();
        return rates;
    }
}
