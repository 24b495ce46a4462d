using Microsoft.Extensions.Logging;

namespace Sluice.RabbitMq;

internal static partial class RabbitMqLog
{
    [LoggerMessage(EventId = 8100, Level = LogLevel.Information, Message = "Cluster queue connected to {Endpoint}: {Shards} shards, consuming with prefetch {Prefetch} per queue")]
    public static partial void Connected(ILogger logger, RabbitMQ.Client.AmqpTcpEndpoint endpoint, int shards, int prefetch);

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Cluster queue unreachable, retrying every second (mail is refused with 451 / 503 meanwhile): {Reason}; {Unlogged} more reports since the previous one")]
    public static partial void Unreachable(ILogger logger, string reason, long unlogged);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Cluster queue connection lost ({Reason}): {InHand} messages in hand go back to the brokers, which hand them to a live consumer")]
    public static partial void ConnectionLost(ILogger logger, string reason, int inHand);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Error, Message = "Cluster queue could not take a message ({Operation}): {Reason}; {Unlogged} more reports since the previous one")]
    public static partial void PublishFailed(ILogger logger, string operation, string reason, long unlogged);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "Standby: no other node consumes the cluster queue; taking over")]
    public static partial void TakingOver(ILogger logger);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Information, Message = "Standby: another node consumes the cluster queue again; giving back (messages in hand are finished first)")]
    public static partial void GivingBack(ILogger logger);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Warning, Message = "Cluster queue received a message that is not Sluice's (message id {MessageId}) on {Queue}: moved to sluice.dead")]
    public static partial void Foreign(ILogger logger, string? messageId, string queue);
}
