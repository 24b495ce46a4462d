namespace Sluice.Delivery.Reputation;

/// <summary>Why a sender is paused.</summary>
public enum PauseCause
{
    /// <summary>Its bounce rate was over a brake's maximum.</summary>
    BounceRate,

    /// <summary>Its complaint rate was over a brake's maximum.</summary>
    ComplaintRate,

    /// <summary>An operator paused it.</summary>
    Operator,
}
