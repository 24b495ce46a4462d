namespace Sluice.Core.State;

/// <summary>Why an address is suppressed. Stored as a number: new members go at the end.</summary>
public enum SuppressionReason
{
    Bounce,
    Complaint,
    Unsubscribe,
    Manual,

    /// <summary>Soft bounces (a full mailbox, an expired delivery) reached the configured count within the configured window.</summary>
    SoftBounce,
}
