namespace Sluice.Logging;

/// <summary>The <c>Logging</c> section: the format of the log and the level per category.</summary>
public sealed class LoggingOptions
{
    public LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>
    /// Least level logged per category prefix (<c>Sluice.Delivery</c>, <c>Sluice.Server.Sessions</c>,
    /// <c>Microsoft.AspNetCore</c>, …); <c>Default</c> for the rest (Information).
    /// </summary>
    public Dictionary<string, LogLevel> LogLevel { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public SyslogOptions Syslog { get; set; } = new();

    public EventLogOptions Events { get; set; } = new();

    public AmqpOptions Amqp { get; set; } = new();
}
