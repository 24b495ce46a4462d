namespace Sluice.Delivery.Feedback;

public enum ComplaintScope
{
    SenderDomain,
    All,
}
