using Microsoft.Extensions.Logging;

namespace Sluice.Delivery.Queues;

internal static partial class QueueLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Ready queue {Queue} rests after {Failures} session failures in a row; its mail is held until {Until}")]
    public static partial void Resting(ILogger logger, QueueKey queue, int failures, DateTimeOffset until);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Ready queue {Queue} rested; its held mail is released")]
    public static partial void RestEnded(ILogger logger, QueueKey queue);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "A delivery worker of {Queue} failed unexpectedly; its message is retried on its schedule")]
    public static partial void WorkerFailed(ILogger logger, QueueKey queue, Exception exception);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Error, Message = "Releasing mail held under {HoldKey} failed; it stays held until the next release or restart")]
    public static partial void ReleaseFailed(ILogger logger, string holdKey, Exception exception);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Closing a connection of {Queue} failed")]
    public static partial void CloseFailed(ILogger logger, QueueKey queue, Exception exception);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Ready queue {Queue}: reply rule {Rule} takes action {Action} until {Until} after the reply {Reply}")]
    public static partial void ReplyRuleApplied(ILogger logger, QueueKey queue, string rule, Shaping.ReplyAction action, DateTimeOffset until, string reply);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "Ready queue {Queue}: a reply rule's action ended; configured shaping again")]
    public static partial void ReplyRuleEnded(ILogger logger, QueueKey queue);
}
