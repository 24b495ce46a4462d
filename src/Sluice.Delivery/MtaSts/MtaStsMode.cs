namespace Sluice.Delivery.MtaSts;

/// <summary>An MTA-STS policy's mode (RFC 8461 §5): enforce it, only report what would fail, or none (the domain withdrew its policy).</summary>
public enum MtaStsMode
{
    None,
    Testing,
    Enforce,
}
