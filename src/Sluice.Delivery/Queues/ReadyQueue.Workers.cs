using Sluice.Core.Cluster;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

public sealed partial class ReadyQueue
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
                if (_open >= _window.Limit || _leaseWaitUntil is not null)
                {
                    break;
                }

                if (!_context.Capacity.TryTakeConnection())
                {
                    if (!_starved)
                    {
                        _starved = true;
                        _context.Capacity.Starved(this);
                    }

                    break;
                }

                _open++;
                if (_context.SharedLimits is not null)
                {
                    _pendingLeases++;
                }
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

    private async Task RunWorkerAsync(DeliveryJob? job, SmtpClientConnection? connection)
    {
        string? remote = null;

        // A worker started without a connection has a new slot: under cluster-wide limits it needs a lease first.
        var needsLease = connection is null && _context.SharedLimits is not null;
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
                    if (needsLease)
                    {
                        var lease = await _context.SharedLimits!.TryLeaseAsync(LimitKey, _shaping.MaxConnections).ConfigureAwait(false);
                        needsLease = false;
                        if (lease is null)
                        {
                            LeaseRefused(job);
                            return;
                        }

                        lock (_lock)
                        {
                            _pendingLeases--;
                            _leases.Push(lease);
                        }
                    }

                    DeliveryOutcome? failure;
                    (connection, failure, remote) = await OpenAsync(plan, job.Domain).ConfigureAwait(false);
                    if (connection is null)
                    {
                        job.Complete(JobResult.NotSent(failure!, remote));
                        CompleteHeld(LearnFromReplies(null, failure, job));
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
                if (verdict != TransactionVerdict.Delivered)
                {
                    CompleteHeld(LearnFromReplies(outcomes, null, job));
                }

                // A session lost before the peer said anything about this message (a cached connection
                // the peer dropped, a host going away): the job goes ahead of the others once.
                var retry = decisive.Cause == OutcomeCause.LostBeforeDot && !job.RetriedAfterLoss && AllLostBeforeDot(outcomes);
                if (!retry)
                {
                    job.Complete(JobResult.Answered(outcomes, connection.ServerName));
                }

                var usable = connection.IsUsable && connection.MessagesSent < plan.Shaping.MaxMessagesPerConnection;
                var sent = job;
                (job, var close, var slot) = AfterSend(sent, retry, verdict, connection, usable);
                if (close)
                {
                    await DisposeConnectionAsync(connection).ConfigureAwait(false);
                }

                // Only once the connection is closed: a peer counting connections never sees this slot's successor beside it.
                if (slot is { } given)
                {
                    GiveBack(given.Lease);
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

            SharedLease? lease;
            lock (_lock)
            {
                _busy--;
                if (needsLease)
                {
                    _pendingLeases--;
                }

                lease = CloseSlotLocked();
            }

            GiveBack(lease);
        }
    }

    /// <summary>
    /// The cluster has no connection to spare for this queue's key: the job goes back to the head,
    /// the slot is given back, and no new connection is asked for until the wait is over (idle
    /// connections this queue holds keep working meanwhile).
    /// </summary>
    private void LeaseRefused(DeliveryJob job)
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            _retry.Enqueue(job);
            _busy--;
            _pendingLeases--;
            _open--;
            if (_leaseWaitUntil is null && !_retired)
            {
                var wait = _context.SharedLimits!.RetryAfter;
                _leaseWaitUntil = _context.Time.GetUtcNow() + wait;
                _leaseTimer?.Dispose();
                _leaseTimer = _context.Time.CreateTimer(static state => ((ReadyQueue)state!).LeaseWaitOver(), this, wait, Timeout.InfiniteTimeSpan);
            }

            start = StartWorkersLocked();
        }

        _context.Capacity.ReleaseConnection();
        Launch(start);
    }

    private void LeaseWaitOver()
    {
        lock (_lock)
        {
            _leaseWaitUntil = null;
        }

        Pump();
    }

    /// <summary>Under the lock: the cluster's limits are not shared now and this queue has more slots than this node's share of them.</summary>
    private bool OverShareLocked() => _context.SharedLimits is { } shared && shared.ShareOf(LimitKey, _shaping.MaxConnections) is { } share && _open > share;

    /// <summary>Under the lock: one slot fewer; the lease it held (leases are alike within a key), to give back outside the lock.</summary>
    private SharedLease? CloseSlotLocked()
    {
        _open--;
        return _leases.Count + _pendingLeases > _open ? _leases.Pop() : null;
    }

    /// <summary>A closed slot's node-wide capacity and its lease go back (never under the lock).</summary>
    private void GiveBack(SharedLease? lease)
    {
        if (lease is not null)
        {
            _context.SharedLimits!.Release(lease);
        }

        _context.Capacity.ReleaseConnection();
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
    /// Returns the next job (null: the worker ends), whether to close the connection, and the slot
    /// given up (with its lease, if any), which the caller gives back once the connection is closed.
    /// </summary>
    private (DeliveryJob? Next, bool Close, GivenSlot? Slot) AfterSend(DeliveryJob job, bool retry, TransactionVerdict verdict, SmtpClientConnection connection, bool usable)
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start = null;
        List<DeliveryJob>? held;
        DeliveryJob? next = null;
        bool close;
        var releaseSlot = false;
        SharedLease? lease = null;
        lock (_lock)
        {
            if (retry)
            {
                job.RetriedAfterLoss = true;
                _retry.Enqueue(job);
            }

            held = FeedbackLocked(verdict) ?? HoldIfRestingLocked();
            if (_open > _window.Limit || _restingUntil is not null || _retired || OverShareLocked())
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
                lease = CloseSlotLocked();
            }

            // Whatever this worker does next, jobs left behind (a retry, new arrivals, a wider window) get workers if allowed.
            start = StartWorkersLocked();
        }

        CompleteHeld(held);
        Launch(start);
        return (next, close, releaseSlot ? new GivenSlot(lease) : null);
    }

    /// <summary>No connection could be made for <paramref name="failure"/>'s job: learn, then go on with the next job if the window still allows this slot.</summary>
    private DeliveryJob? AfterFailedOpen(DeliveryOutcome failure)
    {
        List<DeliveryJob>? held;
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        DeliveryJob? next = null;
        SharedLease? lease = null;
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
                lease = CloseSlotLocked();
            }

            start = StartWorkersLocked();
        }

        if (next is null)
        {
            GiveBack(lease);
        }

        CompleteHeld(held);
        Launch(start);
        return next;
    }

    /// <summary>A slot a worker gave up under the lock, to be given back (with its lease) once its connection is closed.</summary>
    private readonly record struct GivenSlot(SharedLease? Lease);
}
