namespace Sluice.Logging;

/// <summary>Sends every log entry that passes the levels to syslog (RFC 5424), MSGID the entry's event name.</summary>
[ProviderAlias("Syslog")]
internal sealed class SyslogLoggerProvider(SyslogSender sender) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SyslogLogger(sender);

    public void Dispose()
    {
        // The sender belongs to the host (it also carries the delivery events).
    }

    private sealed class SyslogLogger(SyslogSender sender) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += " | " + exception.GetType().FullName + ": " + exception.Message;
            }

            sender.Send(Severity(logLevel), eventId.Name, message);
        }

        // RFC 5424 §6.2.1 severities.
        private static int Severity(LogLevel level) => level switch
        {
            LogLevel.Critical => 2,
            LogLevel.Error => 3,
            LogLevel.Warning => 4,
            LogLevel.Information => 6,
            _ => 7,
        };
    }
}
