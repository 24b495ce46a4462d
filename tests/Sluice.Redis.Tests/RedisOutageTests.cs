using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Cluster;
using Sluice.Testing;
using StackExchange.Redis;

namespace Sluice.Redis.Tests;

/// <summary>Redis stopped and restarted (empty) under nodes that hold leases: each test has a Redis of its own.</summary>
public sealed class RedisOutageTests
{
    private static readonly SharedLimitKey Site = new("mx.example.net", null, null);

    [Fact]
    public async Task TryLeaseAsync_RedisAway_KeepsToThisNodesShareAndNeverThrows()
    {
        using var server = await RedisServer.StartAsync();
        var (a, b) = await TwoNodesAsync(server);
        await using var disposeA = a;
        await using var disposeB = b;
        Assert.Equal(2, a.Limits.LiveNodes);
        Assert.True(a.Leader.IsLeader);

        server.Stop();
        await Poll.UntilAsync(() => Task.FromResult(!a.Link.Reachable), TimeSpan.FromSeconds(10), "the node to notice Redis is gone");

        // Limit 5 over 2 live nodes: this node's share is 2, granted once the others have had time to give back what they held beyond theirs.
        Assert.Null(await a.Limits.TryLeaseAsync(Site, 5));
        Assert.Equal(2, a.Limits.ShareOf(Site, 5));
        Assert.NotNull(await Poll.ForAsync(async () => await a.Limits.TryLeaseAsync(Site, 5), l => l is not null, TimeSpan.FromSeconds(10), "the settling time to pass"));
        Assert.NotNull(await a.Limits.TryLeaseAsync(Site, 5));
        Assert.Null(await a.Limits.TryLeaseAsync(Site, 5));

        // Rate 10/s over 2 nodes: 5/s here, so the second event waits 200 ms.
        Assert.Equal(TimeSpan.Zero, await a.Limits.ReserveAsync(Site, SharedRateKind.Messages, 10, 1));
        Assert.InRange(await a.Limits.ReserveAsync(Site, SharedRateKind.Messages, 10, 1), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200));

        await a.Heartbeat.RoundAsync();
        Assert.False(a.Leader.IsLeader);
    }

    [Fact]
    public async Task RoundAsync_RedisRestartedEmpty_LiveNodesNotLoweredBeforeEveryNodeCouldBeat()
    {
        using var server = await RedisServer.StartAsync();
        var (a, b) = await TwoNodesAsync(server);
        await using var disposeA = a;
        await using var disposeB = b;

        await server.StartAgainAsync();
        await Poll.UntilAsync(async () => { await a.Heartbeat.RoundAsync(); return a.Link.Reachable; }, TimeSpan.FromSeconds(10), "node a back on Redis");

        // Only a has beaten since the restart; b is alive all the same: a's share must not grow to the whole limit.
        Assert.Equal(2, a.Limits.LiveNodes);
        Assert.Equal(2, a.Limits.Share(5));
    }

    [Fact]
    public async Task Restored_RedisRestartedEmpty_LeasesHeldArePutBackBeforeLimitsAreSharedAgain()
    {
        using var server = await RedisServer.StartAsync();
        var (a, b) = await TwoNodesAsync(server);
        await using var disposeA = a;
        await using var disposeB = b;
        var held = await a.Limits.TryLeaseAsync(Site, 3);
        Assert.NotNull(held);
        Assert.NotNull(await a.Limits.TryLeaseAsync(Site, 3));
        await a.Heartbeat.StartAsync(CancellationToken.None);
        await b.Heartbeat.StartAsync(CancellationToken.None);

        await server.StartAgainAsync();
        await using var watcher = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var leases = watcher.GetDatabase();
        RedisKey key = a.Link.Prefix + "conn:" + RedisLimits.Name(Site);
        await Poll.UntilAsync(async () => await leases.SortedSetLengthAsync(key) == 2, TimeSpan.FromSeconds(15), "node a to put its two leases back");

        // Whatever mode b is in now (its share, or shared again), the three of the limit are never exceeded.
        var third = await Poll.ForAsync(async () => await b.Limits.TryLeaseAsync(Site, 3), l => l is not null, TimeSpan.FromSeconds(10), "b's one lease");
        Assert.NotNull(third);
        await Poll.UntilAsync(() => Task.FromResult(a.Link.Shared && b.Link.Shared), TimeSpan.FromSeconds(10), "limits shared again");
        Assert.Null(await b.Limits.TryLeaseAsync(Site, 3));
        Assert.Equal(3, await leases.SortedSetLengthAsync(key));

        a.Limits.Release(held);
        Assert.NotNull(await Poll.ForAsync(async () => await b.Limits.TryLeaseAsync(Site, 3), l => l is not null, TimeSpan.FromSeconds(5), "the lease a gave back"));
        await a.Heartbeat.StopAsync(CancellationToken.None);
        await b.Heartbeat.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Shared_RedisRestartedEmptyAndAnotherNodeNotBackYet_StaysOnTheShareUntilTheNodeSetIsALeaseLifeOld()
    {
        using var server = await RedisServer.StartAsync();
        var options = new RedisOptions { Configuration = server.Configuration, LeaseTtl = TimeSpan.FromSeconds(60) };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = RedisNode.Start(options, "a", time);
        var b = RedisNode.Start(options, "b");
        await a.Heartbeat.RoundAsync();
        await b.Heartbeat.RoundAsync();
        await a.Heartbeat.RoundAsync();
        Assert.NotNull(await a.Limits.TryLeaseAsync(Site, 2));
        Assert.NotNull(await b.Limits.TryLeaseAsync(Site, 2));

        // b's client has not reconnected to the restarted Redis yet: its connection is open on its share, uncounted there.
        await b.DisposeAsync();
        await server.StartAgainAsync();
        await Poll.UntilAsync(async () => { await a.Heartbeat.RoundAsync(); return a.Link.Reachable; }, TimeSpan.FromSeconds(15), "node a back on Redis");
        await a.Heartbeat.RoundAsync();

        // Past a's own grace since its return (its clock only: Redis's node set is seconds old), a still keeps to its share.
        time.Advance(options.RenewInterval + TimeSpan.FromSeconds(2));
        Assert.False(a.Link.Shared);
        Assert.Equal(1, a.Limits.ShareOf(Site, 2));
        Assert.Null(await a.Limits.TryLeaseAsync(Site, 2));

        // Once the set is a lease's life old, b has had its chance to come back: a node silent that long is gone, and the limit is shared.
        time.Advance(options.LeaseTtl);
        Assert.True(a.Link.Shared);
        Assert.NotNull(await a.Limits.TryLeaseAsync(Site, 2));
    }

    /// <summary>Nodes a and b on <paramref name="server"/> (3 s leases), each having beaten, a twice: both count two live nodes and a leads.</summary>
    private static async Task<(RedisNode A, RedisNode B)> TwoNodesAsync(RedisServer server)
    {
        var options = new RedisOptions { Configuration = server.Configuration, LeaseTtl = TimeSpan.FromSeconds(3) };
        var a = RedisNode.Start(options, "a");
        var b = RedisNode.Start(options, "b");
        await a.Heartbeat.RoundAsync();
        await b.Heartbeat.RoundAsync();
        await a.Heartbeat.RoundAsync();
        return (a, b);
    }
}
