using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

internal sealed partial class ReadyQueue
{
    /// <summary>
    /// Under the lock: one worker per job that can have a connection now — an idle one, or a new
    /// one the window and the node's capacity allow. A worker holds one connection slot for its
    /// life (counted in <c>_open</c>) and starts with the job it is given.
    /// </summary>
    private List<(DeliveryJob Job, SmtpClientConnection? Connection)>? StartWorkersLocked()
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start = null;
        while (_restingUntil is null && !_retired && (_waiting.Count > 0 || _retry.Count > 0))
        {
            if (!_idle.TryPop(out var connection))
            {
                if (_open >= _window.Limit)
                {
                    break;
                }

                if (!_context.Capacity.TryTakeConnection())
                {
                    _context.Capacity.Starved(this);
                    break;
                }

                _open++;
            }

            _busy++;
            (start ??= []).Add((DequeueLocked(), connection));
        }

        return start;
    }

    private void Launch(List<(DeliveryJob Job, SmtpClientConnection? Connection)>? start)
    {
        if (start is null)
        {
            return;
        }

        foreach (var (job, connection) in start)
        {
            _ = Task.Run(() => RunWorkerAsync(job, connection));
        }
    }

    private DeliveryJob DequeueLocked()
    {
        var job = _retry.Count > 0 ? _retry.Dequeue() : _waiting.Dequeue();
        ReleaseIfRoomLocked();
        return job;
    }

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
            _ = ReleaseHeldAsync(_context.MaxWaitingPerQueue - _waiting.Count);
        }
    }

    private async Task RunWorkerAsync(DeliveryJob? job, SmtpClientConnection? connection)
    {
        string? remote = null;
        try
        {
            while (job is not null)
            {
                var plan = Plan;
                if (connection is not null && !Fresh(connection, plan))
                {
                    await DisposeConnectionAsync(connection).ConfigureAwait(false);
                    connection = null;
                }

                if (connection is null)
                {
                    DeliveryOutcome? failure;
                    (connection, failure, remote) = await OpenAsync(plan).ConfigureAwait(false);
                    if (connection is null)
                    {
                        job.Complete(JobResult.NotSent(failure!, remote));
                        job = AfterFailedOpen(failure!);
                        continue;
                    }
                }
                else
                {
                    remote ??= connection.ServerName;
                    _context.Metrics?.OutboundConnectionsReused.Add(1, new KeyValuePair<string, object?>("site", Key.Site));
                }

                if (_messageRate is { } rate)
                {
                    await rate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                IReadOnlyList<RecipientOutcome> outcomes;
                await _context.Capacity.EnterSendAsync().ConfigureAwait(false);
                try
                {
                    outcomes = await connection.SendAsync(job.Message, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    _context.Capacity.ExitSend();
                }

                var (verdict, decisive) = Verdicts.Of(outcomes, _context.Classifier);

                // A session lost before the peer said anything about this message (a cached connection
                // the peer dropped, a host going away): the job goes ahead of the others once.
                var retry = decisive.Cause == OutcomeCause.LostBeforeDot && !job.RetriedAfterLoss && AllLostBeforeDot(outcomes);
                if (!retry)
                {
                    job.Complete(JobResult.Answered(outcomes, connection.ServerName));
                }

                var usable = connection.IsUsable && connection.MessagesSent < plan.Shaping.MaxMessagesPerConnection;
                var sent = job;
                (job, var close) = AfterSend(sent, retry, verdict, connection, usable);
                if (close)
                {
                    await DisposeConnectionAsync(connection).ConfigureAwait(false);
                }

                connection = job is null || close ? null : connection;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug, not a mail outcome: the job is retried on its schedule and the slot given back.
            QueueLog.WorkerFailed(_context.Logger, Key, ex);
            job?.Complete(JobResult.NotSent(DeliveryOutcome.Transient("4.3.0", "Local error while delivering; retried later"), remote));
            if (connection is not null)
            {
                await DisposeConnectionAsync(connection).ConfigureAwait(false);
            }

            lock (_lock)
            {
                _busy--;
                _open--;
            }

            _context.Capacity.ReleaseConnection();
        }
    }

    private static bool AllLostBeforeDot(IReadOnlyList<RecipientOutcome> outcomes)
    {
        foreach (var o in outcomes)
        {
            if (o.Outcome.Cause != OutcomeCause.LostBeforeDot)
            {
                return false;
            }
        }

        return true;
    }

    private bool Fresh(SmtpClientConnection connection, QueuePlan plan)
        => connection.LooksAlive() && _context.Time.GetUtcNow() - connection.LastUsed < plan.Shaping.IdleTimeout;

    /// <summary>
    /// After a transaction: learn from it, then keep the slot for the next job (on this connection
    /// when it is still good), park the connection idle when nothing waits, or give the slot back
    /// when the window has narrowed below what is open, the queue rests, or the node stops.
    /// Returns the next job (null: the worker ends) and whether to close the connection.
    /// </summary>
    private (DeliveryJob? Next, bool Close) AfterSend(DeliveryJob job, bool retry, TransactionVerdict verdict, SmtpClientConnection connection, bool usable)
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start = null;
        List<DeliveryJob>? held;
        DeliveryJob? next = null;
        bool close;
        var releaseSlot = false;
        lock (_lock)
        {
            if (retry)
            {
                job.RetriedAfterLoss = true;
                _retry.Enqueue(job);
            }

            held = FeedbackLocked(verdict) ?? HoldIfRestingLocked();
            if (_open > _window.Limit || _restingUntil is not null || _retired)
            {
                close = true;
                releaseSlot = true;
            }
            else if (_waiting.Count > 0 || _retry.Count > 0)
            {
                next = DequeueLocked();
                close = !usable;
            }
            else if (usable)
            {
                // The slot stays with the idle connection.
                _idle.Push(connection);
                close = false;
            }
            else
            {
                close = true;
                releaseSlot = true;
            }

            if (next is null)
            {
                _busy--;
            }

            if (releaseSlot)
            {
                _open--;
            }

            // Whatever this worker does next, jobs left behind (a retry, new arrivals, a wider window) get workers if allowed.
            start = StartWorkersLocked();
        }

        if (releaseSlot)
        {
            _context.Capacity.ReleaseConnection();
        }

        CompleteHeld(held);
        Launch(start);
        return (next, close);
    }

    /// <summary>No connection could be made for <paramref name="failure"/>'s job: learn, then go on with the next job if the window still allows this slot.</summary>
    private DeliveryJob? AfterFailedOpen(DeliveryOutcome failure)
    {
        List<DeliveryJob>? held;
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        DeliveryJob? next = null;
        lock (_lock)
        {
            held = FeedbackLocked(Verdicts.Of(failure, _context.Classifier).Verdict) ?? HoldIfRestingLocked();
            if (_open <= _window.Limit && _restingUntil is null && !_retired && (_waiting.Count > 0 || _retry.Count > 0))
            {
                next = DequeueLocked();
            }
            else
            {
                _busy--;
                _open--;
            }

            start = StartWorkersLocked();
        }

        if (next is null)
        {
            _context.Capacity.ReleaseConnection();
        }

        CompleteHeld(held);
        Launch(start);
        return next;
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
                var cooldown = Plan.Shaping.FailureCooldown;
                _restingUntil = _context.Time.GetUtcNow() + cooldown;
                _restTimer = _context.Time.CreateTimer(static state => ((ReadyQueue)state!).EndRest(), this, cooldown, Timeout.InfiniteTimeSpan);
                QueueLog.Resting(_context.Logger, Key, _window.ConsecutiveFailures, _restingUntil.Value);
                var held = new List<DeliveryJob>(_waiting.Count + _retry.Count);
                Drain(_retry, held, static _ => true);
                Drain(_waiting, held, static _ => true);
                _moreHeld |= held.Count > 0;
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
            job.Complete(JobResult.Held(_holdKey));
        }
    }

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
            _window.Restart(Plan.Shaping.InitialConnections);
            ReleaseIfRoomLocked();
            start = StartWorkersLocked();
        }

        QueueLog.RestEnded(_context.Logger, Key);
        Launch(start);
    }

    private async Task ReleaseHeldAsync(int max)
    {
        try
        {
            if (await _context.ReleaseHeld(_holdKey, max).ConfigureAwait(false) >= max)
            {
                lock (_lock)
                {
                    _moreHeld = true;
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Held mail stays held until the next release or restart; nothing is lost.
            lock (_lock)
            {
                _moreHeld = true;
            }

            QueueLog.ReleaseFailed(_context.Logger, _holdKey.Value, ex);
        }
    }
}
