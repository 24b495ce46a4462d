namespace Sluice.Delivery.Feedback;

public enum FeedbackKind
{
    /// <summary>An RFC 5965 ARF report: a recipient marked the message as spam (or another feedback type).</summary>
    Complaint,

    /// <summary>An RFC 3464 DSN with a failed recipient: the mail was accepted, then bounced.</summary>
    Bounce,
}
