using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Core.Queue;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Feedback;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Reputation;
using Sluice.Delivery.Tests.Reputation;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>
/// Holds written after their release ran (a message settles when all its domains are done, or a
/// full disk retries the write): the pause's and the warm-up's owner releases them again.
/// </summary>
public sealed class DeliveryControlTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new();
    private readonly TestMeterFactory _meters = new();
    private readonly DeliveryCapacity _capacity = new(10, 10);
    private readonly MemoryQueue _queue;
    private readonly DeliveryEventLog _events;

    public DeliveryControlTests()
    {
        _queue = new MemoryQueue(_time);
        _events = new DeliveryEventLog(Path.Combine(_dir.Path, "events"), _time);
    }

    public void Dispose()
    {
        _events.Dispose();
        _capacity.Dispose();
        _meters.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task WarmUpHoldWrittenAsync_ReleaseRanBetweenDecisionAndWrite_ReleasesItAgain()
    {
        var control = Control();
        var late = _queue.Add("late@dest.test", TimeSpan.Zero);
        var current = _queue.Add("current@dest.test", TimeSpan.Zero);

        // Decided before the new day's release, written after it.
        var decided = control.WarmUpReleases;
        await control.ReleaseWarmUpAsync();
        await _queue.HoldAsync(late.Id, HoldKey.WarmUp.Value, null, CancellationToken.None);
        await control.WarmUpHoldWrittenAsync(decided);

        // Decided and written after it: it waits for the next release.
        var after = control.WarmUpReleases;
        await _queue.HoldAsync(current.Id, HoldKey.WarmUp.Value, null, CancellationToken.None);
        await control.WarmUpHoldWrittenAsync(after);

        Assert.Equal(QueueMessageState.Queued, _queue.Find(late.Id)!.State);
        Assert.Equal(QueueMessageState.Held, _queue.Find(current.Id)!.State);
    }

    [Fact]
    public async Task PauseHoldWrittenAsync_PauseResumedBeforeTheWrite_ReleasesItAgain()
    {
        var reputation = Reputation();
        var control = Control(reputation);
        var key = new SenderKey(SenderScope.SenderDomain, "news.example");
        reputation.Pause(new SenderPause(key, _time.GetUtcNow(), _time.GetUtcNow().AddHours(1), PauseCause.Operator, "checking a list"));
        var early = _queue.Add("early@dest.test", TimeSpan.Zero);
        var late = _queue.Add("late@dest.test", TimeSpan.Zero);

        // Written while the pause holds: it stays held.
        await _queue.HoldAsync(early.Id, HoldKey.ForPause(key).Value, null, CancellationToken.None);
        await control.PauseHoldWrittenAsync(key);
        var whilePaused = _queue.Find(early.Id)!.State;

        // The resume's release runs before the other hold is written.
        await control.ResumeSenderAsync(key);
        await _queue.HoldAsync(late.Id, HoldKey.ForPause(key).Value, null, CancellationToken.None);
        await control.PauseHoldWrittenAsync(key);

        Assert.Equal(QueueMessageState.Held, whilePaused);
        Assert.Equal(QueueMessageState.Queued, _queue.Find(late.Id)!.State);
    }

    private DeliveryControl Control(SenderReputation? reputation = null)
    {
        var suspensions = new Suspensions(_time);
        var queues = new ReadyQueues(new ReadyQueueContext(_time, _capacity, suspensions, new BounceClassifier([]), 100, async (key, max) => await _queue.ReleaseHeldAsync(key.Value, max, CancellationToken.None), NullLogger.Instance));
        return new DeliveryControl(suspensions, queues, _queue, reputation, new Egress.WarmUpLedger(_time), _events, _time);
    }

    private SenderReputation Reputation()
    {
        var options = new ReputationOptions();
        var stores = new FakeStateStores();
        return new SenderReputation(
            new SenderRates(options, _time),
            new SenderPauses(_time),
            options,
            new FeedbackOptions(),
            stores,
            new SuppressionList(),
            stores,
            _events,
            new SluiceMetrics(_meters),
            _time,
            NullLogger<SenderReputation>.Instance);
    }
}
