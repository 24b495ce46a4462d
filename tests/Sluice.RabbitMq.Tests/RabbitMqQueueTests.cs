using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>The cluster queue against a real broker: confirmed intake, leases owned until settled, retry tiers, holds released cluster-wide, dead letters, and a consumer's death handing its messages to another.</summary>
[Collection(nameof(SharedBroker))]
public sealed class RabbitMqQueueTests(BrokerFixture broker) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly QueueHarness _harness = new();

    public Task InitializeAsync() => broker.ResetAsync("suspended:dest.example");

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Enqueue_ThenLeaseAndAck_ExactBytesOnceAndTheQueueEmpty()
    {
        var queue = await StartAsync();
        var bytes = Body("exact\r\n..dot-stuffed? no: stored as given\r\n\u00e9\r\n");
        var id = new MessageId("m-exact");

        Assert.Equal(EnqueueResult.Stored, await EnqueueAsync(queue, id, bytes, "a@dest.example", "b@other.example"));
        var entry = await LeaseOneAsync(queue);

        Assert.Equal(id, entry.Id);
        Assert.Equal(["a@dest.example", "b@other.example"], entry.Envelope.Recipients.Select(r => r.Address));
        Assert.Equal(0, entry.Attempts);
        Assert.Equal(bytes, await ReadAsync(queue, id));
        Assert.True(await queue.AckAsync(id, CancellationToken.None));
        Assert.False(await queue.AckAsync(id, CancellationToken.None));
        await Poll.UntilAsync(async () => (await queue.GetSummaryAsync(CancellationToken.None)).Total == 0, Deadline, "an empty queue");
    }

    [Fact]
    public async Task Defer_ShortWait_ComesBackAfterItWithOneMoreAttemptAndTheRemainingRecipients()
    {
        var queue = await StartAsync();
        var id = new MessageId("m-defer");
        await EnqueueAsync(queue, id, Body("x"), "a@dest.example", "b@dest.example");
        var first = await LeaseOneAsync(queue);
        var remaining = first.Envelope with { Recipients = [first.Envelope.Recipients[1]] };
        var until = DateTimeOffset.UtcNow.AddSeconds(2);

        Assert.True(await queue.DeferAsync(id, until, "451 4.7.1 try later", remaining, CancellationToken.None));
        Assert.Empty(await queue.LeaseAsync(10, CancellationToken.None));
        var again = await LeaseOneAsync(queue);

        Assert.True(DateTimeOffset.UtcNow >= until.AddMilliseconds(-1000), "came back before its wait was over");
        Assert.Equal(1, again.Attempts);
        Assert.Equal("451 4.7.1 try later", again.LastReply);
        Assert.Equal(["b@dest.example"], again.Envelope.Recipients.Select(r => r.Address));
        Assert.True(await queue.AckAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Hold_ThenRelease_HeldUntilReleasedAttemptsUnchanged()
    {
        var queue = await StartAsync();
        var id = new MessageId("m-hold");
        await EnqueueAsync(queue, id, Body("held"), "a@dest.example");
        await LeaseOneAsync(queue);

        Assert.True(await queue.HoldAsync(id, "suspended:dest.example", null, CancellationToken.None));
        await Poll.UntilAsync(async () => (await queue.GetSummaryAsync(CancellationToken.None)).ByState.GetValueOrDefault("held") == 1, Deadline, "one held message");
        Assert.Empty(await queue.LeaseAsync(10, CancellationToken.None));

        Assert.Equal(0, await queue.ReleaseHeldAsync("other:key", 10, CancellationToken.None));
        Assert.Equal(1, await queue.ReleaseHeldAsync("suspended:dest.example", 10, CancellationToken.None));
        var released = await LeaseOneAsync(queue);
        Assert.Equal(0, released.Attempts);
        Assert.Equal(Body("held"), await ReadAsync(queue, id));
        Assert.True(await queue.AckAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task DeadLetter_KeptForInspection_ThenDeleted()
    {
        var queue = await StartAsync();
        var id = new MessageId("m-dead");
        await EnqueueAsync(queue, id, Body("dead"), "a@dest.example");
        await LeaseOneAsync(queue);

        Assert.True(await queue.DeadLetterAsync(id, "550 5.1.1 no such user", CancellationToken.None));
        await Poll.UntilAsync(async () => (await queue.GetSummaryAsync(CancellationToken.None)).ByState.GetValueOrDefault("dead-letter") == 1, Deadline, "one dead letter");

        Assert.Equal(1, await queue.DeleteAsync(new QueueFilter(State: QueueMessageState.DeadLetter), dryRun: true, CancellationToken.None));
        Assert.Equal(1, await queue.DeleteAsync(new QueueFilter(Domain: "dest.example"), dryRun: false, CancellationToken.None));
        await Poll.UntilAsync(async () => (await queue.GetSummaryAsync(CancellationToken.None)).Total == 0, Deadline, "nothing left");
    }

    [Fact]
    public async Task Flush_DeferredForAnHour_DueNowOnlyForTheDomainAsked()
    {
        var queue = await StartAsync();
        await EnqueueAsync(queue, new MessageId("m-flush-a"), Body("a"), "a@dest.example");
        await EnqueueAsync(queue, new MessageId("m-flush-b"), Body("b"), "b@other.example");
        var leased = new List<QueueEntry> { await LeaseOneAsync(queue), await LeaseOneAsync(queue) };
        foreach (var entry in leased)
        {
            Assert.True(await queue.DeferAsync(entry.Id, DateTimeOffset.UtcNow.AddHours(1), "451", null, CancellationToken.None));
        }

        await Poll.UntilAsync(async () => await queue.FlushAsync(new QueueFilter(Domain: "dest.example"), CancellationToken.None) == 1, Deadline, "one flushed");
        var due = await LeaseOneAsync(queue);

        Assert.Equal(new MessageId("m-flush-a"), due.Id);
        Assert.Equal(1, due.Attempts);
        Assert.Empty(await queue.LeaseAsync(10, CancellationToken.None));
        Assert.True(await queue.AckAsync(due.Id, CancellationToken.None));
    }

    [Fact]
    public async Task SettleWaiting_DeferredMessages_ExactBytesHandedOverAndOnlyThoseTakenRemoved()
    {
        var queue = await StartAsync();
        await EnqueueAsync(queue, new MessageId("m-settle-a"), Body("a"), "a@dest.example");
        await EnqueueAsync(queue, new MessageId("m-settle-b"), Body("b"), "b@dest.example");
        await EnqueueAsync(queue, new MessageId("m-settle-c"), Body("c"), "c@other.example");
        foreach (var entry in new[] { await LeaseOneAsync(queue), await LeaseOneAsync(queue), await LeaseOneAsync(queue) })
        {
            Assert.True(await queue.DeferAsync(entry.Id, DateTimeOffset.UtcNow.AddHours(1), "451", null, CancellationToken.None));
        }

        var handed = new Dictionary<string, byte[]>();
        var removed = await Poll.ForAsync(
            async () => await queue.SettleWaitingAsync(
                new QueueFilter(Domain: "dest.example"),
                async (entry, content) =>
                {
                    using var copy = new MemoryStream();
                    await content.CopyToAsync(copy);
                    handed[entry.Id.Value] = copy.ToArray();
                    return entry.Id.Value == "m-settle-a";
                },
                CancellationToken.None),
            n => n == 1,
            Deadline,
            "the one taken removed");

        Assert.Equal(Body("a"), handed["m-settle-a"]);
        Assert.DoesNotContain("m-settle-c", handed.Keys);
        Assert.Equal(1, removed);

        // b was refused (it stays, and ended the pass) and c did not match: both still wait.
        Assert.Equal(2, await queue.DeleteAsync(QueueFilter.All, dryRun: true, CancellationToken.None));
    }

    [Fact]
    public async Task Consumer_DiesWithMessagesInHand_AnotherConsumerGetsThem()
    {
        var dying = await StartAsync();
        var survivor = await StartAsync();
        for (var i = 0; i < 20; i++)
        {
            await EnqueueAsync(dying, new MessageId($"m-die-{i:00}"), Body($"body {i}"), "a@dest.example");
        }

        // Whatever each consumer got: the dying one settles none of its share.
        await Poll.UntilAsync(() => Task.FromResult(dying.InHandCount + survivor.InHandCount == 20), Deadline, "all 20 in hand somewhere");
        var seen = new HashSet<MessageId>();
        foreach (var entry in await survivor.LeaseAsync(100, CancellationToken.None))
        {
            seen.Add(entry.Id);
            Assert.True(await survivor.AckAsync(entry.Id, CancellationToken.None));
        }

        await _harness.StopAsync(dying);
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var entry in await survivor.LeaseAsync(100, CancellationToken.None))
                {
                    Assert.Equal(Body($"body {int.Parse(entry.Id.Value[6..], System.Globalization.CultureInfo.InvariantCulture)}"), await ReadAsync(survivor, entry.Id));
                    seen.Add(entry.Id);
                    Assert.True(await survivor.AckAsync(entry.Id, CancellationToken.None));
                }

                return seen.Count == 20;
            },
            Deadline,
            "all 20 settled by the survivor");
    }

    [Fact]
    public async Task Standby_ActiveNodeDiesAndReturns_TakesOverWithinSecondsThenGivesBack()
    {
        var active = await StartAsync();
        var standby = await StartAsync(NodeRole.Standby);
        await EnqueueAsync(active, new MessageId("s-1"), Body("1"), "a@dest.example");
        await Poll.UntilAsync(() => Task.FromResult(active.InHandCount == 1), Deadline, "the active node holding the first message");
        Assert.Equal(0, standby.InHandCount);

        await _harness.StopAsync(active);
        var died = System.Diagnostics.Stopwatch.StartNew();
        var first = await LeaseOneAsync(standby);
        Assert.Equal(new MessageId("s-1"), first.Id);
        Assert.True(died.Elapsed < TimeSpan.FromSeconds(10), $"took over after {died.Elapsed}");
        Assert.True(await standby.AckAsync(first.Id, CancellationToken.None));

        Assert.True(standby.IsConsuming);
        var returned = await StartAsync();
        await Poll.UntilAsync(() => Task.FromResult(!standby.IsConsuming), Deadline, "the standby giving back");
        await EnqueueAsync(standby, new MessageId("s-2"), Body("2"), "a@dest.example");
        await Poll.UntilAsync(() => Task.FromResult(returned.InHandCount == 1), Deadline, "the returned active node holding the second message");
        Assert.Equal(0, standby.InHandCount);
    }

    [Fact]
    public async Task Enqueue_NoBrokerListening_RefusedNotLost()
    {
        var queue = _harness.Start(new RabbitMqOptions { Uris = [$"amqp://guest:guest@127.0.0.1:{FreePort.Next()}/"] });

        Assert.Equal(EnqueueResult.Unavailable, await EnqueueAsync(queue, new MessageId("m-nobroker"), Body("x"), "a@dest.example"));
        Assert.False(await queue.IsWritableAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(0.5, null)]
    [InlineData(1, 1)]
    [InlineData(59, 15)]
    [InlineData(60, 60)]
    [InlineData(3599, 1800)]
    [InlineData(86400, 14400)]
    public void TierFor_Wait_LongestTierThatDoesNotOvershoot(double seconds, int? tier)
        => Assert.Equal(tier, QueueNames.TierFor(TimeSpan.FromSeconds(seconds)));

    private async Task<RabbitMqQueue> StartAsync(NodeRole role = NodeRole.Active)
    {
        var queue = _harness.Start(new RabbitMqOptions { Uris = [broker.Uri], Shards = 2, Prefetch = 50, Role = role });
        await queue.Connected.WaitAsync(Deadline);
        return queue;
    }

    private Task<EnqueueResult> EnqueueAsync(RabbitMqQueue queue, MessageId id, byte[] bytes, params string[] recipients) => _harness.EnqueueAsync(queue, id, bytes, recipients);

    private static Task<QueueEntry> LeaseOneAsync(RabbitMqQueue queue) => QueueHarness.LeaseOneAsync(queue, Deadline);

    private static Task<byte[]> ReadAsync(RabbitMqQueue queue, MessageId id) => QueueHarness.ReadAsync(queue, id);

    private static byte[] Body(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
