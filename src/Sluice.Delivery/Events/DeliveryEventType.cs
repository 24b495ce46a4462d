namespace Sluice.Delivery.Events;

public enum DeliveryEventType
{
    Reception,
    Delivery,
    TransientFailure,
    Bounce,
    Expiration,
    AdminAction,
}
