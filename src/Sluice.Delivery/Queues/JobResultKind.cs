namespace Sluice.Delivery.Queues;

public enum JobResultKind
{
    Answered,
    NotSent,
    Held,
}
