using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Core.Events;
using Sluice.Delivery.Pools;
using Sluice.Delivery.Queues;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>The whole engine (scheduler, dispatcher, ready queues, settlement) over an in-memory queue on a fake clock, relaying to a real peer.</summary>
public sealed class SchedulerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new();
    private readonly List<IDisposable> _owned = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }

        _dir.Dispose();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Run_MoreDueThanMaxInHand_LeasesOnlyUpToTheBound()
    {
        using var silent = new SilentPeer(new IPEndPoint(IPAddress.Loopback, 0));
        var queue = new MemoryQueue(_time);
        for (var i = 0; i < 50; i++)
        {
            queue.Add($"r{i}@dest.test", TimeSpan.Zero);
        }

        var (scheduler, _) = Engine(queue, silent.Endpoint, maxInHand: 10);
        await RunAsync(scheduler, async () =>
        {
            await Poll.UntilAsync(() => Task.FromResult(scheduler.InHand == 10), TimeSpan.FromSeconds(10), "ten messages in hand");
            await Poll.UntilAsync(() => Task.FromResult(silent.Accepted >= 2), TimeSpan.FromSeconds(10), "the destination's window of connections opened");

            Assert.Equal(10, queue.Leased);
            Assert.Equal(40, queue.Count(QueueMessageState.Queued));
        });
    }

    [Fact]
    public async Task Run_MessageDueLater_IsSentOnlyOnceItsTimeHasCome()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"));
        var queue = new MemoryQueue(_time);
        queue.Add("later@dest.test", TimeSpan.FromMinutes(5));
        var (scheduler, _) = Engine(queue, sink.SmtpEndpoint);
        await RunAsync(scheduler, async () =>
        {
            await Poll.UntilAsync(() => Task.FromResult(queue.LeaseCalls >= 1), TimeSpan.FromSeconds(10), "the scheduler looked");
            var early = queue.Leased + queue.Acked;

            _time.Advance(TimeSpan.FromMinutes(5));

            // The scheduler may arm its next wake just after the clock moved (its look and its timer
            // are not one step): a clock that stood still then would never wake it. Keep it going.
            await Poll.UntilAsync(
                () =>
                {
                    if (queue.Acked == 1)
                    {
                        return Task.FromResult(true);
                    }

                    _time.Advance(TimeSpan.FromSeconds(1));
                    return Task.FromResult(false);
                },
                TimeSpan.FromSeconds(20),
                "the message delivered and acked once due");

            Assert.Equal(0, early);
            Assert.Equal(1, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());
        });
    }

    [Fact]
    public async Task Run_SuspendedDestination_HoldsWithoutAnAttemptAndResumeSendsIt()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"));
        var queue = new MemoryQueue(_time);
        var entry = queue.Add("held@dest.test", TimeSpan.Zero);
        var recorded = new RecordingEventSink();
        var (scheduler, control) = Engine(queue, sink.SmtpEndpoint, recorded: recorded);
        control.Suspend("dest.test", _time.GetUtcNow().AddHours(1));
        await RunAsync(scheduler, async () =>
        {
            await Poll.UntilAsync(() => Task.FromResult(queue.Count(QueueMessageState.Held) == 1), TimeSpan.FromSeconds(10), "the message held");
            var held = await queue.GetAsync(entry.Id, CancellationToken.None);

            await control.ResumeAsync("dest.test");
            await Poll.UntilAsync(() => Task.FromResult(queue.Acked == 1), TimeSpan.FromSeconds(20), "the message sent after resume");

            Assert.Equal(0, held!.Attempts);
            Assert.Equal(entry.NextAttemptAt, held.NextAttemptAt);
            Assert.Equal(1, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());

            // The hold and its release are events (what the message index shows a cluster's queue listing), the delivery after them.
            var told = recorded.Events.Where(e => e.Type is DeliveryEventType.Hold or DeliveryEventType.Release or DeliveryEventType.Delivery).ToList();
            Assert.Equal([DeliveryEventType.Hold, DeliveryEventType.Release, DeliveryEventType.Delivery], told.Select(e => e.Type));
            Assert.Equal((entry.Id.Value, "held@dest.test", "suspended:dest.test"), (told[0].MessageId, told[0].Recipient, told[0].Classification));
            Assert.Equal(("-", "suspended:dest.test"), (told[1].MessageId, told[1].Classification));
        });
    }

    [Fact]
    public async Task Run_HoldWrittenAfterTheRestEnded_IsReleasedAndTriedAgain()
    {
        // Nothing listens: each attempt fails at connect; the first rests the queue, which holds the other message.
        var refusing = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        var queue = new MemoryQueue(_time);
        var first = queue.Add("a@dest.test", TimeSpan.Zero);
        var second = queue.Add("b@dest.test", TimeSpan.Zero);
        queue.HoldGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (scheduler, _) = Engine(queue, refusing, configure: o => o.Shaping.Default = new Shaping.ShapingRule { InitialConnections = 1, MaxConnections = 1, FailuresBeforeCooldown = 1, FailureCooldown = TimeSpan.FromSeconds(30) });
        await RunAsync(scheduler, async () =>
        {
            await Poll.UntilAsync(() => Task.FromResult(queue.HoldCalls == 1 && queue.Find(first.Id)!.Attempts + queue.Find(second.Id)!.Attempts == 1), TimeSpan.FromSeconds(10), "one message deferred and the other one's hold being written");
            var held = queue.Find(first.Id)!.Attempts == 0 ? first.Id : second.Id;

            // The rest ends and its release runs before the hold is written: it finds nothing held.
            _time.Advance(TimeSpan.FromSeconds(31));
            await Poll.UntilAsync(() => Task.FromResult(queue.ReleaseCalls >= 1), TimeSpan.FromSeconds(10), "the rest's release");
            Assert.Equal(QueueMessageState.InFlight, queue.Find(held)!.State);
            queue.HoldGate.SetResult();

            // Written late, the hold is released again: the message is tried (and deferred), not held until a restart.
            await Poll.UntilAsync(
                () =>
                {
                    if (queue.Find(held)?.Attempts == 1)
                    {
                        return Task.FromResult(true);
                    }

                    _time.Advance(TimeSpan.FromSeconds(1));
                    return Task.FromResult(false);
                },
                TimeSpan.FromSeconds(20),
                "the held message tried again");
            Assert.Equal(0, queue.Count(QueueMessageState.Held));
        });
    }

    [Fact]
    public async Task Run_DomainsHeldByARestAndBySuspension_AreHeldUnderTheRestAndTriedWhenItEnds()
    {
        // Nothing listens: the first message's attempt fails at connect and rests the relay's queue.
        var refusing = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        var queue = new MemoryQueue(_time);
        var first = queue.Add("first@b.test", TimeSpan.Zero);
        var both = queue.Add(["x@a.test", "y@b.test"], TimeSpan.FromSeconds(1));
        var (scheduler, control) = Engine(queue, refusing, configure: o => o.Shaping.Default = new Shaping.ShapingRule { InitialConnections = 1, MaxConnections = 1, FailuresBeforeCooldown = 1, FailureCooldown = TimeSpan.FromSeconds(30) });
        var suspendedUntil = _time.GetUtcNow().AddHours(1);
        control.Suspend("a.test", suspendedUntil);
        await RunAsync(scheduler, async () =>
        {
            await Poll.UntilAsync(() => Task.FromResult(queue.Find(first.Id)!.Attempts == 1), TimeSpan.FromSeconds(10), "the first message tried and its queue resting");

            // Due now: a.test's recipient is held by the suspension (the first group), b.test's by the rest.
            await Poll.UntilAsync(
                () =>
                {
                    if (queue.Find(both.Id)!.State == QueueMessageState.Held)
                    {
                        return Task.FromResult(true);
                    }

                    _time.Advance(TimeSpan.FromSeconds(1));
                    return Task.FromResult(false);
                },
                TimeSpan.FromSeconds(10),
                "the two-domain message held");
            var key = queue.HoldKeyOf(both.Id);

            // The rest ends within a minute: the message goes again then, not after the suspension's hour.
            await Poll.UntilAsync(
                () =>
                {
                    if (queue.Find(both.Id)!.Attempts == 1 || _time.GetUtcNow() >= suspendedUntil)
                    {
                        return Task.FromResult(true);
                    }

                    _time.Advance(TimeSpan.FromSeconds(1));
                    return Task.FromResult(false);
                },
                TimeSpan.FromSeconds(60),
                "b.test's recipient tried again");

            Assert.Equal("queue", new HoldKey(key!).Reason);
            Assert.True(_time.GetUtcNow() < suspendedUntil.AddMinutes(-55), $"tried at {_time.GetUtcNow():O}, the suspension ends at {suspendedUntil:O}");
            Assert.Equal(1, queue.Find(both.Id)!.Attempts);

            // a.test's recipient went along with the deferral (nothing lost, nothing sent to a suspended destination).
            Assert.Equal(["x@a.test", "y@b.test"], queue.Find(both.Id)!.Envelope.Recipients.Select(r => r.Address).Order());
        });
    }

    /// <summary>Runs the engine around <paramref name="test"/> and stops it afterwards, whatever happened.</summary>
    private static async Task RunAsync(Scheduler scheduler, Func<Task> test)
    {
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            await test();
        }
        finally
        {
            await StopAsync(scheduler);
        }
    }

    private static async Task StopAsync(Scheduler scheduler)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await scheduler.StopAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // A transaction to a silent peer does not finish; the test is over either way.
        }
    }

    private (Scheduler Scheduler, DeliveryControl Control) Engine(MemoryQueue queue, IPEndPoint relay, int maxInHand = 100, RecordingEventSink? recorded = null, Action<DeliveryOptions>? configure = null)
    {
        var options = new DeliveryOptions
        {
            RelayHost = relay.ToString(),
            MaxInHand = maxInHand,
            PollInterval = TimeSpan.FromSeconds(1),
            Client = new Smtp.SmtpClientOptions { HeloName = "engine.test" },
        };
        configure?.Invoke(options);
        var classifier = new BounceClassifier([]);
        var suspensions = new Suspensions(_time);
        var capacity = new DeliveryCapacity(options.MaxConnections, options.Concurrency);
        var queues = new ReadyQueues(new ReadyQueueContext(_time, capacity, suspensions, classifier, options.MaxWaitingPerQueue, async (key, max) => await queue.ReleaseHeldAsync(key.Value, max, CancellationToken.None), NullLogger.Instance));
        var dns = new MxResolver(MxResolver.CreateClient(options.Dns), options.Dns, _time);
        var events = new DeliveryEventLog(Path.Combine(_dir.Path, "events"), _time, sinks: recorded is null ? null : [recorded]);
        var ids = new MessageIdGenerator(_time);
        var control = new DeliveryControl(suspensions, queues, queue, events: events, time: _time);
        var settlement = new Settlement(queue, new BounceSender(queue, new DsnBuilder("engine.test"), ids, NullLogger<BounceSender>.Instance), classifier, events, new Core.Telemetry.SluiceMetrics(new TestMeterFactory()), _time, NullLogger.Instance);
        var dispatcher = new Dispatcher(
            queue,
            new DeliveryPolicyHolder(options, _time, () => 0.5),
            new Destinations(dns),
            queues,
            new RelayPoolDelivery(new RelayPools([], _time, new Random(1)), dns, queues, classifier, NullLogger.Instance),
            settlement,
            _time,
            NullLogger<Dispatcher>.Instance,
            control: control);
        var scheduler = new Scheduler(queue, dispatcher, queues, control, options, _time, NullLogger<Scheduler>.Instance);
        _owned.Add(events);
        _owned.Add(capacity);
        _owned.Add(scheduler);
        return (scheduler, control);
    }
}
