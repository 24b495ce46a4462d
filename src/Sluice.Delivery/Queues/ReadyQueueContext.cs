using Microsoft.Extensions.Logging;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Dispatch;

namespace Sluice.Delivery.Queues;

/// <summary>What every ready queue shares: the clock, node-wide capacity, suspensions, the classifier, metrics, and the way back to the message queue for held mail.</summary>
public sealed class ReadyQueueContext(
    TimeProvider time,
    DeliveryCapacity capacity,
    Suspensions suspensions,
    BounceClassifier classifier,
    int maxWaitingPerQueue,
    Func<HoldKey, int, Task<long>> releaseHeld,
    ILogger logger,
    SluiceMetrics? metrics = null,
    Func<Shaping.ReplyRules>? replyRules = null,
    TlsReporting.TlsReportLedger? tlsReports = null,
    Core.Cluster.ISharedLimits? sharedLimits = null)
{
    /// <summary>Connection and rate limits kept for the whole cluster; null: each queue keeps its own.</summary>
    public Core.Cluster.ISharedLimits? SharedLimits { get; } = sharedLimits;

    /// <summary>Where each session's TLS result is counted for SMTP TLS reports (RFC 8460); null: not counted.</summary>
    public TlsReporting.TlsReportLedger? TlsReports { get; } = tlsReports;

    /// <summary>The reply-driven shaping rules of the delivery policy in force.</summary>
    public Func<Shaping.ReplyRules> ReplyRules { get; } = replyRules ?? (static () => Shaping.ReplyRules.None);

    public TimeProvider Time { get; } = time;

    public DeliveryCapacity Capacity { get; } = capacity;

    public Suspensions Suspensions { get; } = suspensions;

    public BounceClassifier Classifier { get; } = classifier;

    /// <summary>Jobs a queue keeps in memory; more are held in the message queue until it drains.</summary>
    public int MaxWaitingPerQueue { get; } = maxWaitingPerQueue;

    public ILogger Logger { get; } = logger;

    public SluiceMetrics? Metrics { get; } = metrics;

    /// <summary>Makes up to N messages held under a key leasable again (the queue wakes the scheduler); returns how many.</summary>
    public Func<HoldKey, int, Task<long>> ReleaseHeld { get; } = releaseHeld;
}
