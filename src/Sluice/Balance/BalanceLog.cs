namespace Sluice.Balance;

internal static partial class BalanceLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Balancing SMTP on {Endpoint} to pool {Pool} ({Proxy} PROXY headers)")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endpoint, string pool, ProxyProtocolVersion proxy);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Node {Member} of pool {Pool} refused a connection ({Fault}); trying another")]
    public static partial void NodeFailed(ILogger logger, string pool, string member, string fault);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "No node of pool {Pool} is available; client {Client} told to retry later (421)")]
    public static partial void NoneAvailable(ILogger logger, string pool, System.Net.IPAddress client);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Pool {Pool} node {Member} is now {Health}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string pool, string member, string health, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Pools reloaded: {Change}")]
    public static partial void Reloaded(ILogger logger, string change);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Balancer stopping: {Connections} connections open, waiting for them to finish")]
    public static partial void Stopping(ILogger logger, int connections);
}
