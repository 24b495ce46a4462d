using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Cluster;
using Sluice.Core.Cluster;
using Sluice.Delivery.Reputation;

namespace Sluice.Integration.Tests;

/// <summary>The exchange's rounds when the cluster's store is away or fails halfway (ADR 0038).</summary>
public sealed class SenderRatesExchangeTests
{
    private static readonly SenderKey News = new(SenderScope.SenderDomain, "news.example");
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedRates _store = new();
    private readonly SenderRates _rates;
    private readonly SenderRatesExchange _exchange;

    public SenderRatesExchangeTests()
    {
        var options = new ReputationOptions { Brakes = [new BrakeRule { Scope = SenderScope.SenderDomain, MinimumSent = 10, MaxBounceRate = 0.5 }] };
        _rates = new SenderRates(options, _time);
        _rates.StartSharing();
        _exchange = new SenderRatesExchange(_rates, _store, options, _time, NullLogger<SenderRatesExchange>.Instance);
    }

    [Fact]
    public async Task RoundAsync_StoreAwayTenRounds_JudgesOnItsOwnThenSendsWhatWaitedWhenBack()
    {
        Count(3);
        _store.Others = 7;
        await _exchange.RoundAsync();
        Assert.Equal(10, _rates.Totals(News, Hour).Sent);

        _store.Away = true;
        Count(2);
        for (var round = 1; round < 10; round++)
        {
            await _exchange.RoundAsync();
            Assert.Equal(12, _rates.Totals(News, Hour).Sent);
        }

        await _exchange.RoundAsync();
        Assert.Equal(5, _rates.Totals(News, Hour).Sent);

        _store.Away = false;
        Count(1);
        await _exchange.RoundAsync();

        Assert.Equal([3, 3], _store.SentPerRound);
        Assert.Equal(13, _rates.Totals(News, Hour).Sent);
    }

    [Fact]
    public async Task RoundAsync_FailsHalfway_ItsCountsAreNotSentAgain()
    {
        Count(4);
        _store.FailNext = true;
        await _exchange.RoundAsync();
        Count(1);
        await _exchange.RoundAsync();

        Assert.Equal([1], _store.SentPerRound);
    }

    private void Count(int sent) => _rates.Add(new SenderIdentity("news.example", null, null), sent, 0, 0);

    /// <summary>A store that can be away, fail halfway, or answer with the other nodes' counts.</summary>
    private sealed class ScriptedRates : ISharedRates
    {
        public bool Away { get; set; }

        public bool FailNext { get; set; }

        public long Others { get; set; }

        public List<long> SentPerRound { get; } = [];

        public Task<IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>?> ExchangeAsync(RateExchange exchange)
        {
            if (Away)
            {
                return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>?>(null);
            }

            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("connection lost halfway");
            }

            SentPerRound.Add(exchange.Counted.Sum(c => c.Buckets.Sum(b => b.Sent)));
            var now = exchange.OldestPeriod + 59;
            return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>?>(
                exchange.Wanted.ToDictionary(s => s, _ => (IReadOnlyList<RateBucket>)[new RateBucket(now, Others, 0, 0)]));
        }
    }
}
