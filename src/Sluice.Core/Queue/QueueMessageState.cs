namespace Sluice.Core.Queue;

public enum QueueMessageState
{
    /// <summary>Waiting for its next attempt (due now or later).</summary>
    Queued = 0,

    /// <summary>Leased to the delivery engine.</summary>
    InFlight = 1,

    /// <summary>Given up on; kept for inspection.</summary>
    DeadLetter = 2,

    /// <summary>Due, but held back for its destination (suspended, resting, or with enough mail waiting); not an attempt.</summary>
    Held = 3,
}
