using Microsoft.Extensions.Logging;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Delivery log messages, event ids 4000–4099. Per-message outcomes are Debug: the delivery event
/// log is the per-message record, and a console line per message is a real share of the node's CPU.
/// </summary>
internal static partial class DispatchLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug, Message = "Delivered {MessageId} to {Recipient} via {RemoteMta}: {Reply}")]
    public static partial void Delivered(ILogger logger, string messageId, string recipient, string? remoteMta, string reply);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Deferred {MessageId} for {Recipient} until {Next}: {Reply}")]
    public static partial void Deferred(ILogger logger, string messageId, string recipient, DateTimeOffset next, string reply);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Bounced {MessageId} for {Recipient}: {Reply}")]
    public static partial void Bounced(ILogger logger, string messageId, string recipient, string reply);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Delivery of {MessageId} failed unexpectedly; it is deferred and retried in a minute")]
    public static partial void Failed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Bounce for {MessageId} could not be queued ({Result}); the message stays queued")]
    public static partial void BounceNotQueued(ILogger logger, string messageId, Core.Queue.EnqueueResult result);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "The queue did not take the {What} of {MessageId} after several tries; it stays leased until the next start")]
    public static partial void SettleFailed(ILogger logger, string messageId, string what);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "{MessageId} was held under {HoldKey} after that hold ended, and releasing it again failed; it stays held until the key's next release or a restart")]
    public static partial void LateReleaseFailed(ILogger logger, string messageId, string holdKey, Exception exception);
}
