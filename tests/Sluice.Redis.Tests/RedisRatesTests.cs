using Sluice.Core.Cluster;

namespace Sluice.Redis.Tests;

[Collection(nameof(SharedRedis))]
public sealed class RedisRatesTests(RedisFixture redis)
{
    private const string News = "sender_domain:news.example";
    private const long Now = 29_431_000;
    private static readonly TimeSpan Width = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ExchangeAsync_TwoNodesCountOneSender_EachReadsTheOthersCountsNotItsOwn()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");

        var firstA = await a.Rates.ExchangeAsync(Round(counted: [new(Now, 10, 2, 0)]));
        var firstB = await b.Rates.ExchangeAsync(Round(counted: [new(Now - 1, 3, 0, 0), new(Now, 5, 1, 1)]));
        var thenA = await a.Rates.ExchangeAsync(Round());

        Assert.Empty(firstA![News]);
        Assert.Equal([new RateBucket(Now, 10, 2, 0)], firstB![News]);
        Assert.Equal([new RateBucket(Now - 1, 3, 0, 0), new RateBucket(Now, 5, 1, 1)], thenA![News]);
    }

    [Fact]
    public async Task ExchangeAsync_PeriodsThatLeftTheWindow_PrunedAndNotReturned()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");
        await b.Rates.ExchangeAsync(Round(counted: [new(Now - 61, 7, 7, 0), new(Now, 1, 0, 0)]));

        // The window moved on by one period: b's oldest count is out of it.
        await a.Rates.ExchangeAsync(Round(oldest: Now - 59, counted: [new(Now + 1, 2, 0, 0)]));
        var seenByA = await a.Rates.ExchangeAsync(Round(oldest: Now - 59));

        Assert.Equal([new RateBucket(Now, 1, 0, 0)], seenByA![News]);
        await using var watcher = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var fields = await watcher.GetDatabase().HashKeysAsync($"{options.KeyPrefix}rates:60:{News}");
        Assert.DoesNotContain(fields, f => ((string)f!).StartsWith($"{Now - 61}:", StringComparison.Ordinal));
        Assert.True(await watcher.GetDatabase().KeyTimeToLiveAsync($"{options.KeyPrefix}rates:60:{News}") <= Width * 61);
    }

    [Fact]
    public async Task ExchangeAsync_SenderClearedByOneNode_NoNodeReadsItsEarlierCounts()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");
        await a.Rates.ExchangeAsync(Round(counted: [new(Now, 10, 5, 0)]));

        await b.Rates.ExchangeAsync(Round(cleared: [News]));
        await a.Rates.ExchangeAsync(Round(counted: [new(Now, 1, 0, 0)]));
        var seenByB = await b.Rates.ExchangeAsync(Round());

        Assert.Equal([new RateBucket(Now, 1, 0, 0)], seenByB![News]);
    }

    private static RateExchange Round(long oldest = Now - 59, IReadOnlyList<RateBucket>? counted = null, IReadOnlyList<string>? cleared = null)
        => new(Width, oldest, cleared ?? [], counted is null ? [] : [(News, counted)], [News]);
}
