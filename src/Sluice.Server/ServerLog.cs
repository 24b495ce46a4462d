using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Server;

/// <summary>Server log messages, event ids 2000–2099. Nothing here ever carries AUTH data.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "SMTP listener {Name} ({Role}) listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, string name, Configuration.ListenerRole role, EndPoint endpoint);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Connection from {Client} on {Listener}")]
    public static partial void Connected(ILogger logger, EndPoint client, string listener);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Accepted message {MessageId} from {Client}: {Size} bytes, {Recipients} recipients")]
    public static partial void Accepted(ILogger logger, string messageId, IPAddress client, long size, int recipients);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Message from {Client} refused: {Reason}")]
    public static partial void MessageRefused(ILogger logger, IPAddress client, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Session with {Client} closed: {Reason}")]
    public static partial void SessionClosed(ILogger logger, IPAddress client, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Authentication failed from {Client}")]
    public static partial void AuthFailed(ILogger logger, IPAddress client);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Client {Client} authenticated as {User}")]
    public static partial void AuthSucceeded(ILogger logger, IPAddress client, string user);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "TLS handshake with {Client} failed")]
    public static partial void TlsFailed(ILogger logger, IPAddress client, Exception exception);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Using a self-signed TLS certificate created at {Path}; configure Smtp:Tls for a real one")]
    public static partial void SelfSignedCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Using the self-signed TLS certificate at {Path}; configure Smtp:Tls for a real one")]
    public static partial void SelfSignedUsed(ILogger logger, string path);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Session with {Client} failed")]
    public static partial void SessionFailed(ILogger logger, IPAddress client, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "SMTP server stopping: {Sessions} sessions open")]
    public static partial void Stopping(ILogger logger, int sessions);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Connections refused ({Cause}): the latest from {Client}; {Unlogged} more since the previous report")]
    public static partial void ConnectionsRefused(ILogger logger, Sessions.AdmissionRefusal cause, IPAddress client, long unlogged);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "SMTP listener {Name} under stress: {Connections} connections (high-water mark {Threshold}); command and data timeouts now {Timeout}, addresses limited to a fair share")]
    public static partial void StressEntered(ILogger logger, string name, int connections, int threshold, TimeSpan timeout);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Information, Message = "SMTP listener {Name} no longer under stress: {Connections} connections")]
    public static partial void StressLeft(ILogger logger, string name, int connections);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "The open-file limit is {Limit} but the SMTP listeners allow {Connections} connections (plus about 1024 for the spool, delivery and HTTP): raise it (systemd LimitNOFILE, ulimit -n) or lower Limits:MaxConnections")]
    public static partial void FileLimitTooLow(ILogger logger, long limit, long connections);
}
