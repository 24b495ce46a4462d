using Sluice.Delivery.Shaping;

namespace Sluice.Delivery.Queues;

/// <summary>A ready queue as the policy view and metrics see it at one moment.</summary>
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
    SiteShaping Shaping);
