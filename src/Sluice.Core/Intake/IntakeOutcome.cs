namespace Sluice.Core.Intake;

/// <summary>What became of a submission: the intake stage's typed result, mapped to a reply by each transport.</summary>
public enum IntakeOutcome
{
    /// <summary>Durable for every recipient: 250 / 202.</summary>
    Stored,

    /// <summary>Durable for the recipients that were kept; the others were refused one by one.</summary>
    PartlyRejected,

    /// <summary>No recipient was left: nothing was queued.</summary>
    Rejected,

    /// <summary>Over the size limit: nothing was queued (552 5.3.4 / 413).</summary>
    TooLarge,

    /// <summary>The spool is short of space: nothing was queued (452 4.3.1 / 503).</summary>
    StorageFull,

    /// <summary>Any other write failure: nothing was queued (451 4.3.0 / 500).</summary>
    StorageFailed,

    /// <summary>The node is stopping and took nothing (421 4.3.2 / 503).</summary>
    ShuttingDown,

    /// <summary>The queue (a cluster's brokers) cannot be reached now: nothing was queued (451 4.3.0 / 503).</summary>
    Unavailable,
}
