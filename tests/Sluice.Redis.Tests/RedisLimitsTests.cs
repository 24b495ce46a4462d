using Sluice.Core.Cluster;
using Sluice.Testing;
using StackExchange.Redis;

namespace Sluice.Redis.Tests;

[Collection(nameof(SharedRedis))]
public sealed class RedisLimitsTests(RedisFixture redis)
{
    private static readonly SharedLimitKey Gmail = new("gmail-smtp-in.l.google.com", "ip1", null);

    [Fact]
    public async Task TryLeaseAsync_TwoNodesAtTheLimit_RefuseMoreUntilOneIsGivenBack()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");

        var first = await a.Limits.TryLeaseAsync(Gmail, 3);
        var second = await a.Limits.TryLeaseAsync(Gmail, 3);
        var third = await b.Limits.TryLeaseAsync(Gmail, 3);
        var fourth = await b.Limits.TryLeaseAsync(Gmail, 3);
        var otherSource = await b.Limits.TryLeaseAsync(Gmail with { Source = "ip2" }, 3);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.Null(fourth);
        Assert.NotNull(otherSource);

        a.Limits.Release(first);
        var afterRelease = await Poll.ForAsync(async () => await b.Limits.TryLeaseAsync(Gmail, 3), l => l is not null, TimeSpan.FromSeconds(5), "a lease given back by node a");
        Assert.Equal(Gmail, afterRelease!.Key);
        Assert.Equal(2, b.Limits.Held - 1);
    }

    [Fact]
    public async Task TryLeaseAsync_FreedLease_GoesToTheNodeThatWaitedNotToTheOneThatGaveItBack()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");
        var held = await a.Limits.TryLeaseAsync(Gmail, 1);
        Assert.NotNull(held);
        Assert.Null(await b.Limits.TryLeaseAsync(Gmail, 1));
        Assert.True(await a.Limits.RenewAsync());
        Assert.True(a.Limits.IsWanted(Gmail));
        Assert.False(b.Limits.IsWanted(Gmail));

        // One connection to Redis per node: the release lands before a's next ask does.
        a.Limits.Release(held);
        var again = await a.Limits.TryLeaseAsync(Gmail, 1);
        var waited = await b.Limits.TryLeaseAsync(Gmail, 1);

        Assert.Null(again);
        Assert.NotNull(waited);
        Assert.Null(await a.Limits.TryLeaseAsync(Gmail, 1));
    }

    [Fact]
    public async Task TryLeaseAsync_HolderStopsRenewing_ItsLeasesLapseForTheOthers()
    {
        var options = redis.Options(leaseTtl: TimeSpan.FromSeconds(3));
        var dead = RedisNode.Start(options, "dead");
        await using var alive = RedisNode.Start(options, "alive");
        Assert.NotNull(await dead.Limits.TryLeaseAsync(Gmail, 2));
        Assert.NotNull(await dead.Limits.TryLeaseAsync(Gmail, 2));
        await dead.Link.DisposeAsync(); // as a SIGKILL: nothing given back

        Assert.Null(await alive.Limits.TryLeaseAsync(Gmail, 2));
        var started = TimeProvider.System.GetTimestamp();
        var lease = await Poll.ForAsync(async () => await alive.Limits.TryLeaseAsync(Gmail, 2), l => l is not null, TimeSpan.FromSeconds(10), "the dead node's lease to lapse");

        Assert.NotNull(lease);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RenewAsync_LeasesLapsedWhileStalledAndOnePlaceTaken_PutsOneBackRevokesTheOtherUntilAConnectionCloses()
    {
        var options = redis.Options(leaseTtl: TimeSpan.FromSeconds(3));
        await using var stalled = RedisNode.Start(options, "stalled");
        await using var other = RedisNode.Start(options, "other");
        await using var watcher = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var leases = watcher.GetDatabase();
        RedisKey key = stalled.Link.Prefix + "conn:" + RedisLimits.Name(Gmail);
        var first = await stalled.Limits.TryLeaseAsync(Gmail, 2);
        var second = await stalled.Limits.TryLeaseAsync(Gmail, 2);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(stalled.Limits.ShareOf(Gmail, 2));

        // No renewal for longer than a lease's life (a stalled process): both lapse and the other node takes a place.
        Assert.NotNull(await Poll.ForAsync(async () => await other.Limits.TryLeaseAsync(Gmail, 2), l => l is not null, TimeSpan.FromSeconds(10), "the stalled node's leases to lapse"));

        // The late renewal finds room for one of its two: the other is revoked, so one connection must close.
        Assert.True(await stalled.Limits.RenewAsync());
        Assert.Equal(2, await leases.SortedSetLengthAsync(key));
        Assert.Equal(1, stalled.Limits.ShareOf(Gmail, 2));
        Assert.Equal(1, stalled.Limits.Revoked);
        Assert.Null(await stalled.Limits.TryLeaseAsync(Gmail, 2));
        Assert.Null(await other.Limits.TryLeaseAsync(Gmail, 2));

        // The queue gives back whichever lease its closing connection held — the counted one here: its place passes to the revoked one.
        var counted = await leases.SortedSetScoreAsync(key, first.Id) is not null ? first : second;
        var revoked = counted == first ? second : first;
        Assert.Null(await leases.SortedSetScoreAsync(key, revoked.Id));
        stalled.Limits.Release(counted);
        Assert.Null(stalled.Limits.ShareOf(Gmail, 2));
        Assert.Equal(0, stalled.Limits.Revoked);
        await Poll.UntilAsync(async () => await leases.SortedSetScoreAsync(key, revoked.Id) is not null, TimeSpan.FromSeconds(5), "the counted place handed to the revoked lease");
        Assert.Null(await leases.SortedSetScoreAsync(key, counted.Id));
        Assert.True(await stalled.Limits.RenewAsync());
        Assert.Null(stalled.Limits.ShareOf(Gmail, 2));
        Assert.Equal(2, await leases.SortedSetLengthAsync(key));
        Assert.Null(await other.Limits.TryLeaseAsync(Gmail, 2));
    }

    [Fact]
    public async Task RoundAsync_LeasesHeldLongerThanTheirTtl_StayHeld()
    {
        var options = redis.Options(leaseTtl: TimeSpan.FromSeconds(3));
        await using var holder = RedisNode.Start(options, "holder");
        await using var other = RedisNode.Start(options, "other");
        Assert.NotNull(await holder.Limits.TryLeaseAsync(Gmail, 1));
        await holder.Heartbeat.StartAsync(CancellationToken.None);

        // Watched over twice the lease's life: renewed every second, never free for another node.
        var refusals = 0;
        var watch = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(watch) < TimeSpan.FromSeconds(6))
        {
            Assert.Null(await other.Limits.TryLeaseAsync(Gmail, 1));
            refusals++;
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        await holder.Heartbeat.StopAsync(CancellationToken.None);
        Assert.True(refusals >= 10);
        Assert.NotNull(await Poll.ForAsync(async () => await other.Limits.TryLeaseAsync(Gmail, 1), l => l is not null, TimeSpan.FromSeconds(5), "the lease given back at stop"));
    }

    [Fact]
    public async Task ReserveAsync_TwoNodesOnOneRate_BookOneScheduleBetweenThem()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");

        // Each booking's slot as seen here: when its answer came back plus the wait it was given.
        // Redis books slot i at (first booking + 50 ms × i), no earlier; answers that come late
        // only move the slot as seen here later, by at most the time the whole run took.
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        var slots = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var wait = await a.Limits.ReserveAsync(Gmail, SharedRateKind.Messages, perSecond: 20, burst: 1);
            slots.Add(clock.GetElapsedTime(started) + wait);
            wait = await b.Limits.ReserveAsync(Gmail, SharedRateKind.Messages, perSecond: 20, burst: 1);
            slots.Add(clock.GetElapsedTime(started) + wait);
        }

        var took = clock.GetElapsedTime(started);
        slots.Sort();
        for (var i = 0; i < slots.Count; i++)
        {
            Assert.InRange(slots[i], TimeSpan.FromMilliseconds((50 * i) - 1), TimeSpan.FromMilliseconds(50 * i) + took + TimeSpan.FromMilliseconds(5));
        }

        var connections = await a.Limits.ReserveAsync(Gmail, SharedRateKind.Connections, perSecond: 20, burst: 1);
        Assert.Equal(TimeSpan.Zero, connections);
    }

    [Fact]
    public async Task RenewAsync_TwoNodes_ExactlyOneLeadsAndTheOtherTakesOverWhenItResigns()
    {
        var options = redis.Options();
        await using var a = RedisNode.Start(options, "a");
        await using var b = RedisNode.Start(options, "b");

        Assert.True(await a.Leader.RenewAsync());
        Assert.True(await b.Leader.RenewAsync());
        Assert.True(a.Leader.IsLeader);
        Assert.False(b.Leader.IsLeader);
        Assert.True(await a.Leader.RenewAsync());
        Assert.True(a.Leader.IsLeader);

        await a.Leader.ResignAsync();
        Assert.False(a.Leader.IsLeader);
        Assert.True(await b.Leader.RenewAsync());
        Assert.True(b.Leader.IsLeader);
        Assert.True(await a.Leader.RenewAsync());
        Assert.False(a.Leader.IsLeader);
    }
}
