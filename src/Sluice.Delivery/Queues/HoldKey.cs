namespace Sluice.Delivery.Queues;

/// <summary>
/// What a held message waits for, as the queue stores it: an operator's suspension of a
/// destination, a paused sender, or one ready queue (resting after failures, or with enough mail waiting).
/// Releasing a hold key makes exactly those messages leasable again.
/// </summary>
public readonly record struct HoldKey(string Value)
{
    private const string Suspended = "suspended:";
    private const string Paused = "paused:";

    /// <summary>Mail no warming source may take today (every source in its pool used its allowance): released at the next UTC day.</summary>
    public static readonly HoldKey WarmUp = new("warmup");

    /// <summary>Where jobs waiting at shutdown are held: released at the next open like any hold.</summary>
    public static readonly HoldKey Stopping = new("node-stopping");

    /// <summary>Why mail under this key waits, as the held-mail metric names it: suspended, paused, warmup, stopping or queue.</summary>
    public string Reason => Value.StartsWith(Suspended, StringComparison.Ordinal) ? "suspended"
        : Value.StartsWith(Paused, StringComparison.Ordinal) ? "paused"
        : this == WarmUp ? "warmup"
        : this == Stopping ? "stopping"
        : "queue";

    /// <summary>
    /// Held by a decision that lasts (a suspension, a pause, the day's warm-up allowance), not by a
    /// ready queue's flow control or a stopping node: such holds and their releases are events.
    /// </summary>
    public bool Lasts => Reason is "suspended" or "paused" or "warmup";

    /// <summary>
    /// Whether mail under this key is likely released before mail under <paramref name="other"/>:
    /// a ready queue's flow control (a rest, a full queue: seconds) or a stopping node (the next
    /// open) before a decision that lasts (hours, or until an operator acts). Between two of a
    /// kind nothing is known: false.
    /// </summary>
    public bool LikelyReleasedBefore(HoldKey other) => !Lasts && other.Lasts;

    public static HoldKey ForSuspension(string destination) => new(string.Concat(Suspended, destination.ToLowerInvariant()));

    public static HoldKey ForPause(Reputation.SenderKey sender) => new(string.Concat(Paused, sender.ToString().ToLowerInvariant()));

    /// <summary>One sender held at one ready queue by a reply rule.</summary>
    public static HoldKey ForSenderAt(Reputation.SenderKey sender, QueueKey queue) => new(string.Concat(Paused, sender.ToString().ToLowerInvariant(), "@", queue.ToString()));

    public static HoldKey ForQueue(QueueKey key) => new(string.Concat("queue:", key.ToString()));

    public override string ToString() => Value;
}
