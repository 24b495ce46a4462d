using System.Collections.Concurrent;
using Sluice.Core.Cluster;
using Sluice.Testing;

namespace Sluice.Redis.Tests;

[Collection(nameof(SharedRedis))]
public sealed class RedisCacheTests(RedisFixture redis)
{
    [Fact]
    public async Task GetAsync_EntryPutByAnotherNode_IsFoundUntilItsTimeIsUp()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");
        var cacheA = new RedisCache(a.Link);
        var cacheB = new RedisCache(b.Link);
        var key = new SharedCacheKey(SharedCacheKind.MxAnswer, "example.com");

        var miss = await cacheA.GetAsync(key);
        cacheA.Put(key, miss.Generation, [1, 2, 3], TimeSpan.FromMilliseconds(500));
        var found = await Poll.ForAsync(async () => await cacheB.GetAsync(key), e => e.Value is not null, TimeSpan.FromSeconds(5), "a's entry");

        Assert.Null(miss.Value);
        Assert.Equal([1, 2, 3], found.Value);
        Assert.Null((await Poll.ForAsync(async () => await cacheB.GetAsync(key), e => e.Value is null, TimeSpan.FromSeconds(5), "the entry to expire")).Value);
    }

    [Fact]
    public async Task InvalidateAsync_Scope_DropsEveryEntryOfItAndEveryNodeHearsOfIt()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");
        var cacheA = new RedisCache(a.Link);
        var cacheB = new RedisCache(b.Link);
        var heard = new ConcurrentQueue<(SharedCacheKind, string)>();
        cacheB.Invalidated += (kind, scope) => heard.Enqueue((kind, scope));
        var latest = new SharedCacheKey(SharedCacheKind.Template, "welcome", "latest");
        var version = new SharedCacheKey(SharedCacheKind.Template, "welcome", "v3");
        var other = new SharedCacheKey(SharedCacheKind.Template, "receipt", "v1");
        cacheA.Put(latest, 0, "3"u8.ToArray(), TimeSpan.FromMinutes(1));
        cacheA.Put(version, 0, "body"u8.ToArray(), TimeSpan.FromMinutes(1));
        cacheA.Put(other, 0, "other"u8.ToArray(), TimeSpan.FromMinutes(1));
        await Poll.UntilAsync(async () => (await cacheB.GetAsync(other)).Value is not null, TimeSpan.FromSeconds(5), "the entries stored");

        await cacheA.InvalidateAsync(SharedCacheKind.Template, "welcome");

        Assert.Null((await cacheB.GetAsync(latest)).Value);
        Assert.Null((await cacheB.GetAsync(version)).Value);
        Assert.Equal("other"u8.ToArray(), (await cacheB.GetAsync(other)).Value);
        await Poll.UntilAsync(() => Task.FromResult(heard.Contains((SharedCacheKind.Template, "welcome"))), TimeSpan.FromSeconds(5), "node b told of the invalidation");
    }

    [Fact]
    public async Task Put_ReadBeforeAnInvalidation_IsNeverServedAfterIt()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        var cache = new RedisCache(a.Link);
        var key = new SharedCacheKey(SharedCacheKind.ApiKey, "k1");

        // A slow reader: missed, read the old record from the database, and puts it back only after the key was revoked.
        var before = await cache.GetAsync(key);
        await cache.InvalidateAsync(SharedCacheKind.ApiKey, "k1");
        cache.Put(key, before.Generation, "old"u8.ToArray(), TimeSpan.FromMinutes(1));
        var after = await cache.GetAsync(key);
        cache.Put(key, after.Generation, "new"u8.ToArray(), TimeSpan.FromMinutes(1));

        Assert.Null(after.Value);
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal("new"u8.ToArray(), (await Poll.ForAsync(async () => await cache.GetAsync(key), e => e.Value is not null, TimeSpan.FromSeconds(5), "the fresh entry")).Value);
    }

    [Fact]
    public async Task Constructor_RedisAwayAtStart_StartsAndFollowsInvalidationsOnceItIsUp()
    {
        var port = FreePort.Next();
        var options = new RedisOptions { Configuration = $"127.0.0.1:{port}", LeaseTtl = TimeSpan.FromSeconds(3) };
        await using var a = RedisNode.Start(options, "a");
        var cache = new RedisCache(a.Link);
        var heard = new ConcurrentQueue<string>();
        cache.Invalidated += (_, scope) => heard.Enqueue(scope);
        Assert.Null((await cache.GetAsync(new SharedCacheKey(SharedCacheKind.MxAnswer, "x.example"))).Value);

        // Redis comes up where the node was told to look: the node connects, and hears another node's invalidation.
        using var server = await RedisServer.StartOnAsync(port);
        await Poll.UntilAsync(() => Task.FromResult(a.Link.Reachable), TimeSpan.FromSeconds(15), "node a connected");
        await using var b = RedisNode.Start(options, "b");
        var other = new RedisCache(b.Link);
        await Poll.UntilAsync(
            async () =>
            {
                await other.InvalidateAsync(SharedCacheKind.ApiKey, "k9");
                return heard.Contains("k9");
            },
            TimeSpan.FromSeconds(15),
            "node a to hear node b's invalidation");
    }

    [Fact]
    public async Task GetAsync_RedisAway_MissesWithoutThrowing()
    {
        using var server = await RedisServer.StartAsync();
        await using var a = RedisNode.Start(new RedisOptions { Configuration = server.Configuration }, "a");
        var cache = new RedisCache(a.Link);
        var heard = 0;
        cache.Invalidated += (_, _) => Interlocked.Increment(ref heard);
        server.Stop();
        await Poll.UntilAsync(() => Task.FromResult(!a.Link.Reachable), TimeSpan.FromSeconds(10), "Redis gone");
        var key = new SharedCacheKey(SharedCacheKind.DomainVerdict, "example.org");

        var entry = await cache.GetAsync(key);
        cache.Put(key, 0, [1], TimeSpan.FromMinutes(1));
        await cache.InvalidateAsync(SharedCacheKind.DomainVerdict, "example.org");

        Assert.Null(entry.Value);
        Assert.Equal(1, heard);
    }
}
