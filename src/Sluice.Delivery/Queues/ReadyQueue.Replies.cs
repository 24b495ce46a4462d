using Sluice.Delivery.Reputation;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

// Reply-driven shaping: what a site says in its replies changes how this queue sends, for a while.

public sealed partial class ReadyQueue
{
    private ShapingAdjustment? _adjustment;
    private ITimer? _adjustmentTimer;
    private Dictionary<SenderKey, (DateTimeOffset Until, ITimer Timer)>? _heldSenders;

    /// <summary>
    /// After a transaction or a session that did not deliver: the first reply the reply rules match
    /// acts on this queue (rate, connections, a rest, or one sender held here) until its time is up.
    /// Only replies from the peer count: our own outcomes (DNS, timeouts) say nothing of its wishes.
    /// </summary>
    private List<DeliveryJob>? LearnFromReplies(IReadOnlyList<RecipientOutcome>? outcomes, DeliveryOutcome? failure, DeliveryJob? job)
    {
        var rules = _context.ReplyRules();
        if (rules.Count == 0)
        {
            return null;
        }

        if (failure is not null)
        {
            return failure.Cause == OutcomeCause.PeerReply && rules.Match(Plan.Hosts, failure.Reply) is { } rule ? Apply(rule, failure.Reply.ToString(), job) : null;
        }

        foreach (var o in outcomes!)
        {
            if (o.Outcome.Kind != DeliveryOutcomeKind.Delivered && o.Outcome.Cause == OutcomeCause.PeerReply && rules.Match(Plan.Hosts, o.Outcome.Reply) is { } rule)
            {
                return Apply(rule, o.Outcome.Reply.ToString(), job);
            }
        }

        return null;
    }

    /// <summary>Takes a rule's action; returns jobs to hand back as held (a rest or a held sender), to be completed outside the lock.</summary>
    private List<DeliveryJob>? Apply(ReplyRule rule, string reply, DeliveryJob? job)
    {
        var until = _context.Time.GetUtcNow() + rule.Duration;
        _context.Metrics?.ReplyShapingActions.Add(1, new KeyValuePair<string, object?>("rule", rule.Name), new KeyValuePair<string, object?>("action", rule.Action.ToString()), new KeyValuePair<string, object?>("site", Key.Site));
        QueueLog.ReplyRuleApplied(_context.Logger, Key, rule.Name, rule.Action, until, reply);
        switch (rule.Action)
        {
            case ReplyAction.ReduceRate or ReplyAction.ReduceConnections:
                Adjust(ShapingAdjustment.From(rule, until, reply));
                return null;
            case ReplyAction.SuspendSite:
                lock (_lock)
                {
                    return RestLocked(until);
                }

            default:
                if (job is { Sender.Domain.Length: > 0 })
                {
                    HoldSender(new SenderKey(SenderScope.SenderDomain, job.Sender.Domain), until);
                }

                return null;
        }
    }

    /// <summary>Lowers the rate or connections (merged with an adjustment in force: the lower limit and the later end win).</summary>
    private void Adjust(ShapingAdjustment adjustment)
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        ITimer? old;
        lock (_lock)
        {
            _adjustment = _adjustment is { } current ? current.Merge(adjustment) : adjustment;
            old = _adjustmentTimer;
            _adjustmentTimer = _context.Time.CreateTimer(static state => ((ReadyQueue)state!).EndAdjustment(), this, _adjustment.Until - _context.Time.GetUtcNow(), Timeout.InfiniteTimeSpan);
            start = ReshapeLocked(_adjustment.Apply(Plan.Shaping));
        }

        old?.Dispose();
        Launch(start);
    }

    private void EndAdjustment()
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            if (_adjustment is null)
            {
                return;
            }

            var left = _adjustment.Until - _context.Time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                // Extended meanwhile, or the timer ran a little ahead of the wall clock: wait for the rest.
                _adjustmentTimer?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            _adjustment = null;
            _adjustmentTimer?.Dispose();
            _adjustmentTimer = null;
            start = ReshapeLocked(Plan.Shaping);
        }

        QueueLog.ReplyRuleEnded(_context.Logger, Key);
        Launch(start);
    }

    /// <summary>Holds one sender's mail for this queue until <paramref name="until"/>; its waiting jobs are handed back now.</summary>
    private void HoldSender(SenderKey sender, DateTimeOffset until)
    {
        var held = new List<DeliveryJob>();
        lock (_lock)
        {
            _heldSenders ??= [];
            if (_heldSenders.TryGetValue(sender, out var existing))
            {
                existing.Timer.Dispose();
                until = until > existing.Until ? until : existing.Until;
            }

            var timer = _context.Time.CreateTimer(
                static state =>
                {
                    var (queue, key) = ((ReadyQueue, SenderKey))state!;
                    queue.ReleaseSender(key);
                },
                (this, sender),
                until - _context.Time.GetUtcNow(),
                Timeout.InfiniteTimeSpan);
            _heldSenders[sender] = (until, timer);
            Drain(_retry, held, j => IsHeldSenderLocked(j) is not null);
            Drain(_waiting, held, j => IsHeldSenderLocked(j) is not null);
        }

        var key = HoldKey.ForSenderAt(sender, Key);
        var afterHold = SenderHoldWritten(sender);
        foreach (var job in held)
        {
            job.Complete(JobResult.Held(key, afterHold));
        }
    }

    /// <summary>What a hold for <paramref name="sender"/> at this queue runs once written: released again if the reply rule's hold ended before.</summary>
    private Func<ValueTask> SenderHoldWritten(SenderKey sender)
        => ReleaseIfEnded(HoldKey.ForSenderAt(sender, Key), () =>
        {
            lock (_lock)
            {
                return _heldSenders is null || !_heldSenders.ContainsKey(sender);
            }
        });

    /// <summary>Under the lock: the held sender a job belongs to, or null.</summary>
    private SenderKey? IsHeldSenderLocked(DeliveryJob job)
    {
        if (_heldSenders is not { Count: > 0 } || job.Sender.Domain.Length == 0)
        {
            return null;
        }

        var key = new SenderKey(SenderScope.SenderDomain, job.Sender.Domain);
        return _heldSenders.TryGetValue(key, out var hold) && hold.Until > _context.Time.GetUtcNow() ? key : null;
    }

    private void ReleaseSender(SenderKey sender)
    {
        lock (_lock)
        {
            if (_heldSenders is null || !_heldSenders.Remove(sender, out var hold))
            {
                return;
            }

            hold.Timer.Dispose();
        }

        QueueLog.ReplyRuleEnded(_context.Logger, Key);
        _ = ReleaseHeldUnderAsync(HoldKey.ForSenderAt(sender, Key), int.MaxValue);
    }

    /// <summary>Under the lock: a rest until <paramref name="until"/> (or the later end of one in force); waiting jobs are handed back.</summary>
    private List<DeliveryJob>? RestLocked(DateTimeOffset until)
    {
        if (_restingUntil is { } resting && resting >= until)
        {
            return null;
        }

        _restTimer?.Dispose();
        _restingUntil = until;
        _restTimer = _context.Time.CreateTimer(static state => ((ReadyQueue)state!).EndRest(), this, until - _context.Time.GetUtcNow(), Timeout.InfiniteTimeSpan);
        var held = new List<DeliveryJob>(_waiting.Count + _retry.Count);
        Drain(_retry, held, static _ => true);
        Drain(_waiting, held, static _ => true);
        _moreHeld |= held.Count > 0;
        return held;
    }

    /// <summary>Under the lock: the window and rate limiters follow <paramref name="shaping"/> (what the window learned is kept within a new maximum).</summary>
    private List<(DeliveryJob, SmtpClientConnection?)>? ReshapeLocked(SiteShaping shaping)
    {
        var old = _shaping;
        _shaping = shaping;
        if (ReferenceEquals(old, shaping) || old == shaping)
        {
            return null;
        }

        _window.Reconfigure(shaping.MaxConnections);
        if (old.MaxMessageRate != shaping.MaxMessageRate || old.MessageBurst != shaping.MessageBurst)
        {
            _messageRate = MessageRate(shaping);
        }

        if (old.MaxConnectionRate != shaping.MaxConnectionRate || old.ConnectionBurst != shaping.ConnectionBurst)
        {
            _connectionRate = ConnectionRate(shaping);
        }

        return StartWorkersLocked();
    }
}
