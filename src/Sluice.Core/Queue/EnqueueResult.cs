namespace Sluice.Core.Queue;

public enum EnqueueResult
{
    /// <summary>Durable: it is safe to answer 250 / 202.</summary>
    Stored,

    /// <summary>No space left: answer 452 4.3.1 (RFC 3463: mail system full).</summary>
    StorageFull,

    /// <summary>Any other write failure: answer 451 4.3.0.</summary>
    StorageFailed,

    /// <summary>The queue is shutting down and took nothing: answer 421 4.3.2.</summary>
    ShuttingDown,

    /// <summary>The queue cannot be reached now (a cluster's brokers), nothing was taken: answer 451 4.3.0 / 503, and retry.</summary>
    Unavailable,
}
