namespace Sluice.Delivery.Queues;

internal enum JobResultKind
{
    Answered,
    NotSent,
    Held,
}
