using Sluice.Core.Cluster;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// The mail ready to go to one <see cref="QueueKey"/>, and everything that decides how fast it
/// goes: its connections (busy and idle), slow-start window, message and connection rates, and
/// rest after repeated failures. Workers — one per connection in use — take jobs from the head
/// until none is left, so a slow, silent or throttling destination delays only its own mail.
/// A job that cannot wait here (destination suspended, queue resting, or full) is handed back as
/// held, without an attempt.
/// </summary>
public sealed partial class ReadyQueue
{
    private readonly Lock _lock = new();
    private readonly ReadyQueueContext _context;
    private readonly Queue<DeliveryJob> _waiting = new();

    // Jobs whose session was lost before any answer go ahead of the others, once.
    private readonly Queue<DeliveryJob> _retry = new();
    private readonly Stack<SmtpClientConnection> _idle = new();
    private readonly SlowStartWindow _window;
    private readonly HoldKey _holdKey;
    private readonly Func<ValueTask> _queueHoldWritten;
    private SiteShaping _shaping;
    private IRateGate? _messageRate;
    private IRateGate? _connectionRate;
    private int _open;
    private int _busy;
    private DateTimeOffset? _restingUntil;
    private ITimer? _restTimer;
    private bool _moreHeld;

    /// <summary>Releases of this queue's key under way (see <see cref="ReleaseHeldAsync"/>).</summary>
    private int _releasing;

    private bool _retired;

    // Waiting in the node's starved list for a connection slot (so it is listed once).
    private bool _starved;

    // Cluster-wide limits: the leases this queue's slots hold (fungible within the key), the slots
    // still asking for one, and — after a refusal — when to ask again.
    private readonly Stack<SharedLease> _leases = new();
    private int _pendingLeases;
    private DateTimeOffset? _leaseWaitUntil;
    private ITimer? _leaseTimer;

    public ReadyQueue(QueueKey key, QueuePlan plan, ReadyQueueContext context)
    {
        Key = key;
        _context = context;
        _holdKey = HoldKey.ForQueue(key);
        _queueHoldWritten = QueueHoldWritten;
        Plan = plan;
        _shaping = plan.Shaping;
        _window = new SlowStartWindow(plan.Shaping.InitialConnections, plan.Shaping.MaxConnections);
        _messageRate = MessageRate(plan.Shaping);
        _connectionRate = ConnectionRate(plan.Shaping);
    }

    public QueueKey Key { get; }

    /// <summary>What this queue's cluster-wide limits count against (its key without the TLS policy).</summary>
    private SharedLimitKey LimitKey => new(Key.Site, Key.Source, Key.Domain);

    public QueuePlan Plan { get; private set; }

    /// <summary>
    /// Takes the newest plan (hosts, shaping, client) for the next connections. The window keeps
    /// what it learned within a new maximum; a rate limiter is replaced only when its rate changed;
    /// a reply rule's lowering in force stays on top of the new shaping.
    /// </summary>
    public void Update(QueuePlan plan)
    {
        if (ReferenceEquals(plan, Plan))
        {
            return;
        }

        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            Plan = plan;
            start = ReshapeLocked(_adjustment?.Apply(plan.Shaping) ?? plan.Shaping);
        }

        Launch(start);
    }

    /// <summary>
    /// Queues a job, or completes it at once as held. False when this queue was retired by the
    /// reaper a moment ago: the caller takes the fresh one from the registry.
    /// </summary>
    public bool TrySubmit(DeliveryJob job)
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            if (_retired)
            {
                return false;
            }

            if (_context.Suspensions.Find(job.Domain, Key.Site) is { } destination)
            {
                job.Complete(JobResult.Held(HoldKey.ForSuspension(destination), SuspensionHoldWritten(destination)));
                return true;
            }

            if (IsHeldSenderLocked(job) is { } sender)
            {
                // A reply rule holds this sender's mail for this site for a while.
                job.Complete(JobResult.Held(HoldKey.ForSenderAt(sender, Key), SenderHoldWritten(sender)));
                return true;
            }

            if (_restingUntil is not null || _waiting.Count + _retry.Count >= _context.MaxWaitingPerQueue)
            {
                // Resting, or enough waits here: the rest stays in the message queue (held, not in
                // memory) until the rest ends or this queue drains.
                _moreHeld = true;
                job.Complete(JobResult.Held(_holdKey, _queueHoldWritten));
                return true;
            }

            _waiting.Enqueue(job);
            start = StartWorkersLocked();
        }

        Launch(start);
        return true;
    }

    /// <summary>Starts workers if the window and node capacity allow (called when a connection slot frees up elsewhere).</summary>
    public void Pump()
    {
        List<(DeliveryJob, SmtpClientConnection?)>? start;
        lock (_lock)
        {
            _starved = false;
            start = _retired ? null : StartWorkersLocked();
        }

        Launch(start);
    }

    /// <summary>An operator suspended <paramref name="destination"/>: waiting jobs for it are held (those being sent finish).</summary>
    public void HoldWaitingFor(string destination)
    {
        var site = string.Equals(Key.Site, destination, StringComparison.OrdinalIgnoreCase);
        HoldWaiting(j => site || string.Equals(j.Domain, destination, StringComparison.OrdinalIgnoreCase), HoldKey.ForSuspension(destination), SuspensionHoldWritten(destination));
    }

    /// <summary>Waiting jobs that <paramref name="match"/> are handed back under <paramref name="key"/> (those being sent finish); <paramref name="afterHold"/>: see <see cref="JobResult.AfterHold"/>.</summary>
    public void HoldWaiting(Func<DeliveryJob, bool> match, HoldKey key, Func<ValueTask>? afterHold)
    {
        var held = new List<DeliveryJob>();
        lock (_lock)
        {
            Drain(_retry, held, match);
            Drain(_waiting, held, match);
        }

        foreach (var job in held)
        {
            job.Complete(JobResult.Held(key, afterHold));
        }
    }

    /// <summary>The node is stopping: waiting jobs are handed back under <paramref name="key"/> (those being sent finish).</summary>
    public void HoldAllWaiting(HoldKey key)
    {
        var held = new List<DeliveryJob>();
        lock (_lock)
        {
            _retired = true;
            Drain(_retry, held, static _ => true);
            Drain(_waiting, held, static _ => true);
        }

        foreach (var job in held)
        {
            job.Complete(JobResult.Held(key, null));
        }
    }

    public ReadyQueueState State()
    {
        lock (_lock)
        {
            List<(string Sender, DateTimeOffset Until)>? held = null;
            foreach (var (sender, hold) in _heldSenders ?? [])
            {
                (held ??= []).Add((sender.ToString(), hold.Until));
            }

            return new ReadyQueueState(Key, _waiting.Count + _retry.Count, _busy, _open, _idle.Count, _window.Limit, _window.ConsecutiveFailures, _restingUntil, _moreHeld, _shaping, _adjustment, held ?? []);
        }
    }

    private static void Drain(Queue<DeliveryJob> queue, List<DeliveryJob> taken, Func<DeliveryJob, bool> match)
    {
        var count = queue.Count;
        for (var i = 0; i < count; i++)
        {
            var job = queue.Dequeue();
            if (match(job))
            {
                taken.Add(job);
            }
            else
            {
                queue.Enqueue(job);
            }
        }
    }

    private IRateGate? MessageRate(SiteShaping shaping) => Rate(SharedRateKind.Messages, shaping.MaxMessageRate, shaping.MessageBurst);

    private IRateGate? ConnectionRate(SiteShaping shaping) => Rate(SharedRateKind.Connections, shaping.MaxConnectionRate, shaping.ConnectionBurst);

    /// <summary>No limit (0), the cluster's limit when limits are shared, else this queue's own.</summary>
    private IRateGate? Rate(SharedRateKind kind, double perSecond, int burst) => perSecond <= 0 ? null
        : _context.SharedLimits is { } shared ? new SharedRateGate(shared, LimitKey, kind, perSecond, burst, _context.Time)
        : new RateLimit(perSecond, burst, _context.Time);
}
