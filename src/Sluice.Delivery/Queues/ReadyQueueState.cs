using Sluice.Delivery.Shaping;

namespace Sluice.Delivery.Queues;

/// <summary>
/// A ready queue as the policy view and metrics see it at one moment: <see cref="Shaping"/> is what
/// is in force (a reply rule's <see cref="Adjustment"/> included); <see cref="HeldSenders"/> are the
/// sending domains a reply rule holds for this queue, and until when.
/// </summary>
public sealed record ReadyQueueState(
    QueueKey Key,
    int Waiting,
    int Busy,
    int Open,
    int Idle,
    int Window,
    int ConsecutiveFailures,
    DateTimeOffset? RestingUntil,
    bool MoreHeld,
    SiteShaping Shaping,
    ShapingAdjustment? Adjustment,
    IReadOnlyList<(string Sender, DateTimeOffset Until)> HeldSenders);
