namespace Sluice.Logging;

internal static partial class LoggingLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Publishing delivery events to AMQP exchange {Exchange}")]
    public static partial void AmqpConnected(ILogger logger, string exchange);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "AMQP event publishing failed ({Reason}); events dropped so far: {Dropped}; retrying in 5 s")]
    public static partial void AmqpFailed(ILogger logger, string reason, long dropped);
}
