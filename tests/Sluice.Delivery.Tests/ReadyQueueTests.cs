using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>The ready queue on a fake clock: holds, rest after failures, overflow and retirement, against real sockets that refuse or never answer.</summary>
public sealed class ReadyQueueTests : IDisposable
{
    private static readonly QueueKey Key = new("mx.dest.test");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<(HoldKey Key, int Max)> _released = [];
    private readonly TaskCompletionSource _releasedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Suspensions _suspensions;
    private readonly DeliveryCapacity _capacity = new(100, 100);

    public ReadyQueueTests() => _suspensions = new Suspensions(_time);

    public void Dispose() => _capacity.Dispose();

    [Fact]
    public async Task TrySubmit_SuspendedDomain_IsHeldUnderTheSuspensionWithoutAConnection()
    {
        _suspensions.Suspend("dest.test", _time.GetUtcNow().AddHours(1));
        var queue = new ReadyQueue(Key, Plan(Refusing(), SiteShaping.Defaults), Context());
        var job = Job("a@dest.test");

        Assert.True(queue.TrySubmit(job));
        var result = await job.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobResultKind.Held, result.Kind);
        Assert.Equal(HoldKey.ForSuspension("dest.test"), result.Hold);
        Assert.Equal(0, queue.State().Open);
    }

    [Fact]
    public async Task Worker_ConnectFailuresInARow_RestsHoldingTheRestUntilTheCooldownEnds()
    {
        var shaping = SiteShaping.Defaults with { InitialConnections = 1, MaxConnections = 1, FailuresBeforeCooldown = 2, FailureCooldown = TimeSpan.FromMinutes(2) };
        var queue = new ReadyQueue(Key, Plan(Refusing(), shaping), Context());
        var jobs = Enumerable.Range(0, 5).Select(i => Job($"r{i}@dest.test")).ToList();

        jobs.ForEach(j => Assert.True(queue.TrySubmit(j)));
        var results = await Task.WhenAll(jobs.Select(j => j.Completion)).WaitAsync(TimeSpan.FromSeconds(30));
        var resting = queue.State();

        Assert.Equal(2, results.Count(r => r.Kind == JobResultKind.NotSent && r.Failure!.Cause == OutcomeCause.ConnectFailed));
        Assert.Equal(3, results.Count(r => r.Kind == JobResultKind.Held && r.Hold == HoldKey.ForQueue(Key)));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(2), resting.RestingUntil);
        Assert.Equal(0, resting.Open);
        Assert.Empty(_released);
        var late = Job("late@dest.test");
        queue.TrySubmit(late);
        Assert.Equal(JobResultKind.Held, (await late.Completion).Kind);

        _time.Advance(TimeSpan.FromMinutes(2));
        await _releasedSignal.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HoldKey.ForQueue(Key), Assert.Single(_released).Key);
        Assert.Null(queue.State().RestingUntil);
    }

    [Fact]
    public async Task AfterHold_QueueHoldWrittenAfterTheRestEndedAndReleased_ReleasesItAgain()
    {
        var shaping = SiteShaping.Defaults with { InitialConnections = 1, MaxConnections = 1, FailuresBeforeCooldown = 1, FailureCooldown = TimeSpan.FromMinutes(2) };
        var queue = new ReadyQueue(Key, Plan(Refusing(), shaping), Context());
        var failing = Job("a@dest.test");
        var held = Job("b@dest.test");

        queue.TrySubmit(failing);
        queue.TrySubmit(held);
        var result = await held.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((JobResultKind.Held, HoldKey.ForQueue(Key)), (result.Kind, result.Hold));

        // Written while the queue rests: the rest's end releases it, nothing now.
        await result.AfterHold!();
        Assert.Empty(_released);
        _time.Advance(TimeSpan.FromMinutes(2));
        await _releasedSignal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_released);

        // Written after that release (its settlement waited for another domain, or a full disk): released again.
        await result.AfterHold!();

        Assert.Equal([HoldKey.ForQueue(Key), HoldKey.ForQueue(Key)], _released.Select(r => r.Key));
    }

    [Fact]
    public async Task AfterHold_SuspensionHoldWrittenAfterTheResume_ReleasesItAgain()
    {
        _suspensions.Suspend("dest.test", _time.GetUtcNow().AddHours(1));
        var queue = new ReadyQueue(Key, Plan(Refusing(), SiteShaping.Defaults), Context());
        var job = Job("a@dest.test");
        queue.TrySubmit(job);
        var result = await job.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        await result.AfterHold!();
        Assert.Empty(_released);
        _suspensions.Resume("dest.test");
        await result.AfterHold!();

        Assert.Equal((HoldKey.ForSuspension("dest.test"), int.MaxValue), Assert.Single(_released));
    }

    [Fact]
    public async Task TrySubmit_MoreThanTheQueueKeeps_IsHeldAndDrainingReleasesTheRoom()
    {
        using var silent = new SilentPeer(new IPEndPoint(IPAddress.Loopback, 0));
        var shaping = SiteShaping.Defaults with { InitialConnections = 1, MaxConnections = 1, CommandTimeout = TimeSpan.FromSeconds(10) };
        var queue = new ReadyQueue(Key, Plan(silent.Endpoint, shaping), Context(maxWaiting: 2));
        var first = Job("1@dest.test");
        var waiting = new[] { Job("2@dest.test"), Job("3@dest.test") };
        var extra = Job("4@dest.test");

        queue.TrySubmit(first);
        await Poll.UntilAsync(() => Task.FromResult(silent.Accepted == 1), TimeSpan.FromSeconds(10), "the worker connected");
        Array.ForEach(waiting, j => queue.TrySubmit(j));
        queue.TrySubmit(extra);
        var full = queue.State();

        Assert.Equal(JobResultKind.Held, (await extra.Completion.WaitAsync(TimeSpan.FromSeconds(10))).Kind);
        Assert.Equal(2, full.Waiting);
        Assert.True(full.MoreHeld);
        Assert.DoesNotContain(waiting, j => j.Completion.IsCompleted);

        // The silent peer's greeting times out on the fake clock; the worker moves on and the queue drains to half.
        await Poll.UntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(first.Completion.IsCompleted);
            },
            TimeSpan.FromSeconds(30),
            "the first job timed out");
        await _releasedSignal.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var failure = (await first.Completion).Failure!;
        Assert.Equal((OutcomeCause.TimedOut, SessionPhase.Greeting), (failure.Cause, failure.Phase));
        Assert.Equal((HoldKey.ForQueue(Key), 1), Assert.Single(_released));
    }

    [Fact]
    public async Task Reap_EmptyQueueWithoutConnections_IsRetiredAndASubmitGetsAFreshOne()
    {
        var queues = new ReadyQueues(Context());
        var shaping = SiteShaping.Defaults with { FailuresBeforeCooldown = 100 };
        var plan = Plan(Refusing(), shaping);

        var first = await queues.SubmitAsync(Key, plan, Job("a@dest.test")).WaitAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => Task.FromResult(queues.States().All(s => s.Busy == 0)), TimeSpan.FromSeconds(10), "the worker ended");
        await queues.ReapAsync();
        var afterReap = queues.Count;
        var second = await queues.SubmitAsync(Key, plan, Job("b@dest.test")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobResultKind.NotSent, first.Kind);
        Assert.Equal(0, afterReap);
        Assert.Equal(JobResultKind.NotSent, second.Kind);
        Assert.Equal(1, queues.Count);
        Assert.Equal(0, _capacity.Connections);
    }

    [Fact]
    public async Task Reap_ReleaseUnderWayThatFails_KeepsTheQueueAndTheNextTickReleasesAgain()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var queues = new ReadyQueues(Context(release: async (key, max) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await gate.Task;
                throw new IOException("the spool could not write");
            }

            return 0;
        }));
        var shaping = SiteShaping.Defaults with { InitialConnections = 1, MaxConnections = 1, FailuresBeforeCooldown = 1, FailureCooldown = TimeSpan.FromMinutes(2) };
        var plan = Plan(Refusing(), shaping);
        var failing = queues.SubmitAsync(Key, plan, Job("a@dest.test"));
        var held = queues.SubmitAsync(Key, plan, Job("b@dest.test"));
        var results = await Task.WhenAll(failing, held).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(results, r => r.Kind == JobResultKind.Held);

        // The rest ends; its release is under way when the reaper looks.
        _time.Advance(TimeSpan.FromMinutes(2));
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref calls) == 1), TimeSpan.FromSeconds(10), "the rest's release started");
        await queues.ReapAsync();
        var kept = queues.Count;

        // The release fails: the queue, still ticked, tries again.
        gate.SetResult();
        await Poll.UntilAsync(
            async () =>
            {
                await queues.ReapAsync();
                return Volatile.Read(ref calls) >= 2;
            },
            TimeSpan.FromSeconds(10),
            "the release tried again on a tick");

        Assert.Equal(1, kept);
    }

    [Fact]
    public async Task ReleaseConnection_FirstStarvedQueueNoLongerNeedsIt_TheNextOneGetsTheSlot()
    {
        using var capacity = new DeliveryCapacity(maxConnections: 1, maxSending: 10);
        var context = Context(capacity: capacity);
        var plan = Plan(Refusing(), SiteShaping.Defaults with { FailuresBeforeCooldown = 100 });
        var a = new ReadyQueue(new QueueKey("mx.a.test"), plan, context);
        var b = new ReadyQueue(new QueueKey("mx.b.test"), plan, context);
        Assert.True(capacity.TryTakeConnection());

        // A waits for the slot, then its mail is held by a suspension: A is listed as starved but needs nothing.
        var forA = Job("x@a.test");
        a.TrySubmit(forA);
        _suspensions.Suspend("a.test", _time.GetUtcNow().AddHours(1));
        a.HoldWaitingFor("a.test");
        var forB = Job("y@b.test");
        b.TrySubmit(forB);
        capacity.ReleaseConnection();

        Assert.Equal(JobResultKind.Held, (await forA.Completion.WaitAsync(TimeSpan.FromSeconds(10))).Kind);
        Assert.Equal(JobResultKind.NotSent, (await forB.Completion.WaitAsync(TimeSpan.FromSeconds(10))).Kind);
    }

    [Fact]
    public async Task Worker_ClusterHasNoLeaseToSpare_JobWaitsWithoutASlotAndGoesOnceOneFrees()
    {
        var limits = new CountingSharedLimits { Allowed = 0 };
        var queue = new ReadyQueue(Key, Plan(Refusing(), SiteShaping.Defaults with { FailuresBeforeCooldown = 100 }), Context(limits: limits));
        var job = Job("a@dest.test");

        Assert.True(queue.TrySubmit(job));
        await Poll.UntilAsync(() => Task.FromResult(limits.Refused == 1 && queue.State().Open == 0), TimeSpan.FromSeconds(10), "the lease refused and the slot given back");
        var waiting = queue.State();
        Assert.False(job.Completion.IsCompleted);
        Assert.Equal(1, waiting.Waiting);
        Assert.Equal(0, _capacity.Connections);

        // Nothing asks again before the wait is over; then the freed lease is taken and the job goes.
        limits.Allowed = 1;
        Assert.Equal(1, limits.Asked);
        _time.Advance(limits.RetryAfter);
        var result = await job.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobResultKind.NotSent, result.Kind);
        await Poll.UntilAsync(() => Task.FromResult(limits.Held == 0 && queue.State().Open == 0), TimeSpan.FromSeconds(10), "the lease given back with the slot");
        Assert.Equal(2, limits.Asked);
        Assert.Equal(0, _capacity.Connections);
    }

    private ReadyQueueContext Context(int maxWaiting = 100, DeliveryCapacity? capacity = null, Core.Cluster.ISharedLimits? limits = null, Func<HoldKey, int, Task<long>>? release = null) => new(
        _time,
        capacity ?? _capacity,
        _suspensions,
        new BounceClassifier([]),
        maxWaiting,
        release ?? ((key, max) =>
        {
            lock (_released)
            {
                _released.Add((key, max));
            }

            _releasedSignal.TrySetResult();
            return Task.FromResult(0L);
        }),
        NullLogger.Instance,
        sharedLimits: limits);

    private static QueuePlan Plan(IPEndPoint target, SiteShaping shaping)
        => new([new MxHost("mx.dest.test", 10, [target.Address])], target.Port, shaping, new SmtpClientOptions
        {
            HeloName = "test.sluice",
            ConnectTimeout = shaping.ConnectTimeout,
            GreetingTimeout = shaping.CommandTimeout,
            CommandTimeout = shaping.CommandTimeout,
        });

    /// <summary>A loopback port with nothing listening: connections are refused at once.</summary>
    private static IPEndPoint Refusing() => new(IPAddress.Loopback, FreePort.Next());

    private static DeliveryJob Job(string recipient) => TestJobs.For(recipient);
}
