namespace Sluice.Delivery.Queues;

/// <summary>What one whole transaction (or failed session) says about the destination, for slow start and member health.</summary>
internal enum TransactionVerdict
{
    /// <summary>At least one recipient was accepted: the destination works.</summary>
    Delivered,

    /// <summary>The peer answered, refusing the message or recipients for their own reasons: says nothing about the destination.</summary>
    Refused,

    /// <summary>421, or a 4xx the classifier calls rate limiting: the destination is up but wants less.</summary>
    Throttled,

    /// <summary>No session, a timeout, TLS failure, or a session lost: the destination (or the path to it) failed.</summary>
    SessionFailed,
}
