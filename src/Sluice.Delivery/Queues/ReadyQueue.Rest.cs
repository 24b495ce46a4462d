using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

// Learning from transactions, resting after failures, and bringing held mail back.

public sealed partial class ReadyQueue
{
    /// <summary>
    /// Under the lock: when mail is held for this queue and it has drained to half (and does not
    /// rest), bring back from the message queue as many held messages as fit. A release that comes
    /// back full means there may be more: the flag is set again then.
    /// </summary>
    private void ReleaseIfRoomLocked()
    {
        if (_moreHeld && _restingUntil is null && _waiting.Count <= _context.MaxWaitingPerQueue / 2)
        {
            _moreHeld = false;
            _releasing++;
            _ = ReleaseHeldAsync(_context.MaxWaitingPerQueue - _waiting.Count);
        }
    }

    /// <summary>
    /// Under the lock: slow start learns from a transaction. Enough session failures in a row put
    /// the queue to rest: its waiting jobs are handed back as held (not charged an attempt) and
    /// come back, with anything held meanwhile, when the rest ends.
    /// </summary>
    private List<DeliveryJob>? FeedbackLocked(TransactionVerdict verdict)
    {
        switch (verdict)
        {
            case TransactionVerdict.Delivered:
                _window.Succeeded();
                return null;
            case TransactionVerdict.Throttled:
                _window.Throttled();
                return null;
            case TransactionVerdict.SessionFailed when _window.Failed() >= Plan.Shaping.FailuresBeforeCooldown && _restingUntil is null:
                var held = RestLocked(_context.Time.GetUtcNow() + Plan.Shaping.FailureCooldown);
                QueueLog.Resting(_context.Logger, Key, _window.ConsecutiveFailures, _restingUntil!.Value);
                return held;
            default:
                return null;
        }
    }

    /// <summary>Under the lock: a queue that rests keeps nothing waiting (a retry put back by a worker that started before the rest goes too).</summary>
    private List<DeliveryJob>? HoldIfRestingLocked()
    {
        if (_restingUntil is null || (_waiting.Count == 0 && _retry.Count == 0))
        {
            return null;
        }

        var held = new List<DeliveryJob>(_waiting.Count + _retry.Count);
        Drain(_retry, held, static _ => true);
        Drain(_waiting, held, static _ => true);
        _moreHeld = true;
        return held;
    }

    private void CompleteHeld(List<DeliveryJob>? held)
    {
        if (held is null)
        {
            return;
        }

        foreach (var job in held)
        {
            job.Complete(JobResult.Held(_holdKey, _queueHoldWritten));
        }
    }

    /// <summary>
    /// A hold under this queue's key was written, maybe after the release it waits for ran (a rest
    /// that ended, or a queue that drained to half while the message's other domains were still
    /// being sent): it counts as more held mail, released now if the queue neither rests nor is
    /// more than half full, otherwise when it is.
    /// </summary>
    private ValueTask QueueHoldWritten()
    {
        lock (_lock)
        {
            _moreHeld = true;
            ReleaseIfRoomLocked();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>What a hold for <paramref name="destination"/>'s suspension runs once written: released again if the suspension ended before.</summary>
    private Func<ValueTask> SuspensionHoldWritten(string destination)
        => ReleaseIfEnded(HoldKey.ForSuspension(destination), () => _context.Suspensions.SuspendedUntil(destination) is null);

    /// <summary>What a hold under <paramref name="key"/> runs once written: all of that key's mail released again when <paramref name="ended"/> says the hold is over (its release then found nothing).</summary>
    private Func<ValueTask> ReleaseIfEnded(HoldKey key, Func<bool> ended)
        => async () =>
        {
            if (ended())
            {
                await ReleaseHeldUnderAsync(key, int.MaxValue).ConfigureAwait(false);
            }
        };

    /// <summary>Ends a rest early: the destination is known to be back (a health probe of its pool member passed).</summary>
    public void EndRestEarly()
    {
        ITimer? timer;
        lock (_lock)
        {
            if (_restingUntil is null)
            {
                return;
            }

            timer = _restTimer;
        }

        timer?.Dispose();
        EndRest();
    }

    private void EndRest()
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            _restingUntil = null;
            _restTimer?.Dispose();
            _restTimer = null;
            _window.Restart(_shaping.InitialConnections);
            ReleaseIfRoomLocked();
            start = StartWorkersLocked();
        }

        QueueLog.RestEnded(_context.Logger, Key);
        Launch(start);
    }

    /// <summary>
    /// Releases mail held under this queue's key. While it runs the queue is not retired: a
    /// release that came back full, or failed, may have left mail held, and only a queue the
    /// reaper still ticks looks again (a retired one would leave it held until a restart).
    /// </summary>
    private async Task ReleaseHeldAsync(int max)
    {
        var left = await ReleaseHeldUnderAsync(_holdKey, max).ConfigureAwait(false) is not { } released || released >= max;
        lock (_lock)
        {
            _releasing--;
            _moreHeld |= left;
        }
    }

    /// <summary>Makes up to <paramref name="max"/> messages held under <paramref name="key"/> leasable again; null when the queue could not (they stay held until the next release or restart, nothing is lost).</summary>
    private async Task<long?> ReleaseHeldUnderAsync(HoldKey key, int max)
    {
        try
        {
            return await _context.ReleaseHeld(key, max).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            QueueLog.ReleaseFailed(_context.Logger, key.Value, ex);
            return null;
        }
    }
}
