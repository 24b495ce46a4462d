namespace Sluice.Core.Queue;

public enum QueueMessageState
{
    /// <summary>Waiting for its next attempt (due now or later).</summary>
    Queued = 0,

    /// <summary>Leased to a delivery worker.</summary>
    InFlight = 1,

    /// <summary>Given up on; kept for inspection.</summary>
    DeadLetter = 2,
}
