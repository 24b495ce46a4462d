using Sluice.Core.Queue;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Reputation;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// An operator's hand on delivery: suspending a destination or pausing a sender holds its waiting
/// mail at once; resuming (or the suspension or pause running out) releases what was held for it,
/// due as it was before. A brake's pause holds mail the same way; so does a day's warm-up allowance
/// used up, until the next UTC day.
/// </summary>
public sealed class DeliveryControl
{
    private readonly Suspensions _suspensions;
    private readonly ReadyQueues _queues;
    private readonly IMessageQueue _queue;
    private readonly SenderReputation? _reputation;
    private readonly Egress.WarmUpLedger? _warmUp;
    private readonly Core.Events.DeliveryEventLog? _events;
    private readonly TimeProvider _time;
    private long _warmUpReleases;

    public DeliveryControl(Suspensions suspensions, ReadyQueues queues, IMessageQueue queue, SenderReputation? reputation = null, Egress.WarmUpLedger? warmUp = null, Core.Events.DeliveryEventLog? events = null, TimeProvider? time = null)
    {
        _suspensions = suspensions;
        _queues = queues;
        _queue = queue;
        _reputation = reputation;
        _warmUp = warmUp;
        _events = events;
        _time = time ?? TimeProvider.System;
        if (reputation is not null)
        {
            reputation.Paused += pause => queues.HoldWaiting(job => job.Sender.Has(pause.Key), HoldKey.ForPause(pause.Key), () => PauseHoldWrittenAsync(pause.Key));
        }
    }

    public IReadOnlyDictionary<string, DateTimeOffset> Suspended => _suspensions.Snapshot();

    public void Suspend(string destination, DateTimeOffset until)
    {
        _suspensions.Suspend(destination, until);
        _queues.HoldWaitingFor(destination);
    }

    /// <summary>
    /// Makes this node's suspensions those of the cluster (after its node may have missed changes):
    /// the listed ones held, the others resumed (their held mail released, which is harmless twice).
    /// </summary>
    public async Task FollowAsync(IReadOnlyDictionary<string, DateTimeOffset> suspended)
    {
        ArgumentNullException.ThrowIfNull(suspended);
        foreach (var (destination, until) in suspended)
        {
            // The store keeps milliseconds: a suspension made here compares equal to its stored copy.
            if (_suspensions.SuspendedUntil(destination)?.ToUnixTimeMilliseconds() != until.ToUnixTimeMilliseconds())
            {
                Suspend(destination, until);
            }
        }

        foreach (var destination in _suspensions.Snapshot().Keys)
        {
            if (!suspended.ContainsKey(destination))
            {
                await ResumeAsync(destination).ConfigureAwait(false);
            }
        }
    }

    public async Task<bool> ResumeAsync(string destination)
    {
        var resumed = _suspensions.Resume(destination);
        await ReleaseAsync(HoldKey.ForSuspension(destination)).ConfigureAwait(false);
        return resumed;
    }

    /// <summary>Ends a sender's pause now and releases its mail; null when it was not paused (<paramref name="announce"/>: see <see cref="SenderReputation.Resume"/>).</summary>
    public async Task<SenderPause?> ResumeSenderAsync(SenderKey sender, bool announce = true)
    {
        var pause = _reputation?.Resume(sender, announce);
        await ReleaseAsync(HoldKey.ForPause(sender)).ConfigureAwait(false);
        return pause;
    }

    /// <summary>
    /// This node's sender pauses made to match the cluster's (ADR 0032): a pause another node made
    /// holds here too, one resumed elsewhere (gone from the list) releases its mail here; neither is
    /// announced again (the node that made it did).
    /// </summary>
    public async Task FollowPausesAsync(IReadOnlyList<Core.State.SharedSenderPause> paused)
    {
        ArgumentNullException.ThrowIfNull(paused);
        if (_reputation is null)
        {
            return;
        }

        var listed = new HashSet<SenderKey>();
        foreach (var shared in paused)
        {
            if (!SenderKey.TryParse(shared.Sender, out var key))
            {
                continue;
            }

            listed.Add(key);

            // The store keeps milliseconds: a pause made here compares equal to its stored copy.
            if (_reputation.PauseOf(key)?.Until.ToUnixTimeMilliseconds() != shared.Until.ToUnixTimeMilliseconds())
            {
                _reputation.Pause(new SenderPause(key, shared.Since, shared.Until, SenderReputation.CauseOf(shared.Cause), shared.Reason), announce: false);
            }
        }

        foreach (var pause in _reputation.Pauses())
        {
            if (!listed.Contains(pause.Key))
            {
                await ResumeSenderAsync(pause.Key, announce: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Suspensions and pauses whose time is up release their mail (called by the scheduler's tick).</summary>
    public async Task ReleaseExpiredAsync()
    {
        if (!_suspensions.IsEmpty)
        {
            foreach (var destination in _suspensions.TakeExpired())
            {
                await ReleaseAsync(HoldKey.ForSuspension(destination)).ConfigureAwait(false);
            }
        }

        foreach (var pause in _reputation?.TakeExpired() ?? [])
        {
            await ReleaseAsync(HoldKey.ForPause(pause.Key)).ConfigureAwait(false);
        }

        if (_warmUp is not null)
        {
            _warmUp.Save();
            if (_warmUp.NewDay())
            {
                await ReleaseWarmUpAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>How many times mail held for warm-up was released: a hold decided before a release and written after it is released again (<see cref="WarmUpHoldWrittenAsync"/>).</summary>
    public long WarmUpReleases => Interlocked.Read(ref _warmUpReleases);

    /// <summary>A hold for a sender's pause was written: released again if the pause ended before (its release then found nothing).</summary>
    public async ValueTask PauseHoldWrittenAsync(SenderKey sender)
    {
        if (_reputation is not null && _reputation.PauseOf(sender) is null)
        {
            await ReleaseAsync(HoldKey.ForPause(sender)).ConfigureAwait(false);
        }
    }

    /// <summary>A hold for warm-up, decided when <see cref="WarmUpReleases"/> was <paramref name="releasesWhenDecided"/>, was written: released again if a release ran in between.</summary>
    public async ValueTask WarmUpHoldWrittenAsync(long releasesWhenDecided)
    {
        if (WarmUpReleases != releasesWhenDecided)
        {
            await ReleaseWarmUpAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Mail held for warm-up allowances tries again (a new day, or a reload that may have raised them).</summary>
    public async Task ReleaseWarmUpAsync()
    {
        // Counted before the release starts: a hold written after this point is released again by its writer.
        Interlocked.Increment(ref _warmUpReleases);
        try
        {
            await ReleaseAsync(HoldKey.WarmUp).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The queue could not take it now: the mail stays held until the next day's release or a restart (which releases every hold).
        }
    }

    private ValueTask<long> ReleaseAsync(HoldKey key) => HeldMail.ReleaseAsync(_queue, _events, _time, key, int.MaxValue);
}
