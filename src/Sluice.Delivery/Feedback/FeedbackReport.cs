namespace Sluice.Delivery.Feedback;

/// <summary>
/// What a report says, as far as it can be read: which message (the ids of every Received line a
/// Sluice wrote in the returned headers, newest first: the recipient's MX may be a Sluice too, so
/// the one this node's index knows is ours), which recipient, who sent it, and the feedback type
/// (ARF) or the status and diagnostic (DSN).
/// </summary>
public sealed record FeedbackReport(
    FeedbackKind Kind,
    IReadOnlyList<string> MessageIds,
    string? Recipient,
    string? OriginalSender,
    string? FeedbackType,
    string? Status,
    string? Diagnostic,
    string? ReportingMta);
