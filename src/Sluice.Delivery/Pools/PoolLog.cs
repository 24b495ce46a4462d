using Microsoft.Extensions.Logging;

namespace Sluice.Delivery.Pools;

internal static partial class PoolLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Pool {Pool} member {Member} is now {Health}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string pool, string member, string health, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Relay pools reloaded: {Change}")]
    public static partial void Reloaded(ILogger logger, string change);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Pool {Pool} member {Member} failed ({Fault}) for {MessageId}; trying another member")]
    public static partial void MemberFailed(ILogger logger, string pool, string member, string fault, string messageId);
}
