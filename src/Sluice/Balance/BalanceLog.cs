namespace Sluice.Balance;

internal static partial class BalanceLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Balancing SMTP on {Endpoint} to pool {Pool} ({Proxy} PROXY headers)")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endpoint, string pool, ProxyProtocolVersion proxy);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Node {Member} of pool {Pool} refused a connection ({Fault}); trying another ({Unlogged} more since the last line)")]
    public static partial void NodeFailed(ILogger logger, string pool, string member, string fault, long unlogged);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "No node of pool {Pool} is available; client {Client} told to retry later (421; {Unlogged} more since the last line)")]
    public static partial void NoneAvailable(ILogger logger, string pool, System.Net.IPAddress client, long unlogged);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Pool {Pool} node {Member} is now {Health}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string pool, string member, string health, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Pools reloaded: {Change}")]
    public static partial void Reloaded(ILogger logger, string change);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Balancer stopping: {Connections} connections open, waiting for them to finish")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Critical, Message = "A balancer event loop stopped: epoll_wait failed (errno {Errno})")]
    public static partial void LoopFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "A proxied connection failed and was closed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Out of descriptors or memory (errno {Errno}): accepting paused for 50 ms ({Unlogged} more since the last line)")]
    public static partial void AcceptPaused(ILogger logger, int errno, long unlogged);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Cannot open a socket to a node (errno {Errno}); the client is closed ({Unlogged} more since the last line)")]
    public static partial void ConnectFailedLocally(ILogger logger, int errno, long unlogged);
}
