namespace Sluice.Webhooks;

internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Webhook {WebhookId} posting to {Url} from event {Cursor}")]
    public static partial void Started(ILogger logger, string webhookId, string url, long cursor);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Webhook {WebhookId}: post of {Events} events failed ({Error}), try {Attempt} of {MaxAttempts}, next in {Delay}; {Unlogged} more reports since the previous one")]
    public static partial void PostFailed(ILogger logger, string webhookId, int events, string error, int attempt, int maxAttempts, TimeSpan delay, long unlogged);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Webhook {WebhookId}: {Events} events moved to the dead letters after {Attempts} tries ({Error}); replay them with 'sluice webhooks replay {WebhookId}'")]
    public static partial void DeadLettered(ILogger logger, string webhookId, int events, int attempts, string error);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Error, Message = "Webhook {WebhookId}: its loop stopped on a storage failure; it starts again from its stored cursor within 30 s")]
    public static partial void LoopFailed(ILogger logger, string webhookId, Exception exception);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Webhook {WebhookId}: this node lost its claim (its database connection broke); the node that claims it next posts from the stored cursor")]
    public static partial void ClaimLost(ILogger logger, string webhookId);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Webhook {WebhookId}: replayed {Replayed} dead letters, {Failed} failed again")]
    public static partial void Replayed(ILogger logger, string webhookId, int replayed, int failed);
}
