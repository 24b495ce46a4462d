namespace Sluice.Core.State;

public enum SuppressionReason
{
    Bounce,
    Complaint,
    Unsubscribe,
    Manual,
}
