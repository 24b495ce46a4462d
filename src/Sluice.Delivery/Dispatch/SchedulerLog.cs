using Microsoft.Extensions.Logging;

namespace Sluice.Delivery.Dispatch;

internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 4010, Level = LogLevel.Error, Message = "The delivery tick (idle connections, empty queues, expired suspensions) failed; it runs again in a second")]
    public static partial void TickFailed(ILogger logger, Exception exception);
}
