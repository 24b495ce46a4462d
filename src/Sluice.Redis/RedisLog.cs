using Microsoft.Extensions.Logging;

namespace Sluice.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(EventId = 8200, Level = LogLevel.Information, Message = "Cluster limits on Redis at {Endpoints}")]
    public static partial void Connected(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 8201, Level = LogLevel.Warning, Message = "Redis at {Endpoints} does not answer: each limit falls back to this node's share until it does")]
    public static partial void Unreachable(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Warning, Message = "Redis lost ({Reason}): each limit falls back to this node's share (limit ÷ live nodes) until it is back")]
    public static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "Redis is back: leases held are put back; limits are shared again after one renewal round")]
    public static partial void Back(ILogger logger);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Information, Message = "This node now holds the cluster's leader lease")]
    public static partial void Leading(ILogger logger);

    [LoggerMessage(EventId = 8205, Level = LogLevel.Information, Message = "This node no longer holds the cluster's leader lease")]
    public static partial void NotLeading(ILogger logger);

    [LoggerMessage(EventId = 8206, Level = LogLevel.Error, Message = "Redis renewal round failed unexpectedly")]
    public static partial void RenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8207, Level = LogLevel.Debug, Message = "Lease {Lease} for {Limit} granted (on this node's share: {Share}, 0 while shared); this node holds {Held}")]
    public static partial void Granted(ILogger logger, string lease, Core.Cluster.SharedLimitKey limit, int share, int held);

    [LoggerMessage(EventId = 8208, Level = LogLevel.Debug, Message = "Lease {Lease} for {Limit} given back; this node holds {Held}")]
    public static partial void Released(ILogger logger, string lease, Core.Cluster.SharedLimitKey limit, int held);

    [LoggerMessage(EventId = 8209, Level = LogLevel.Warning, Message = "Lease {Lease} for {Limit} lapsed before this node renewed it and another node has taken its place: a connection closes after its message; {Counted} of this node's connections are counted")]
    public static partial void Revoked(ILogger logger, string lease, Core.Cluster.SharedLimitKey limit, int counted);
}
