using Microsoft.Extensions.Logging;

namespace Sluice.Postgres;

internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Warning, Message = "Cluster database not reachable yet, retrying: {Reason}")]
    public static partial void Waiting(ILogger logger, string reason);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Cluster database schema migrated to version {Version}: {Name}")]
    public static partial void Migrated(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Following shared state changes failed; reconnecting, and everything cached is read again once connected: {Reason}; {Unlogged} more reports since the previous one")]
    public static partial void ListenFailed(ILogger logger, string reason, long unlogged);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Following shared state changes on the cluster database (channel {Channel})")]
    public static partial void Listening(ILogger logger, string channel);
}
