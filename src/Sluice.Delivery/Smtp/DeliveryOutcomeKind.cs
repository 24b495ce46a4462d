namespace Sluice.Delivery.Smtp;

public enum DeliveryOutcomeKind
{
    Delivered,
    Transient,
    Permanent,
}
