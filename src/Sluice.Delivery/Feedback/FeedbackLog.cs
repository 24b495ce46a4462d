using Microsoft.Extensions.Logging;

namespace Sluice.Delivery.Feedback;

internal static partial class FeedbackLog
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Feedback: {Kind} for message {MessageId}, recipient {Recipient}, sender domain {SenderDomain} ({Detail}); suppressed: {Suppressed}")]
    public static partial void Applied(ILogger logger, FeedbackKind kind, string messageId, string? recipient, string senderDomain, string? detail, bool suppressed);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Feedback listener: a message from {Client} is not a report Sluice reads (multipart/report with feedback-report or delivery-status); {Unlogged} more since the previous report")]
    public static partial void NotAReport(ILogger logger, string? client, long unlogged);
}
