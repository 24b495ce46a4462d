namespace Sluice.Delivery.Reputation;

/// <summary>Where a bounce was learned: a delivery attempt's reply, a delivery that expired, or a report that came back later.</summary>
public enum BounceOrigin
{
    Delivery,
    Expiry,
    Report,
}
