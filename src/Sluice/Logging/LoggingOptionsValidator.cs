namespace Sluice.Logging;

/// <summary>The <c>Logging</c> section's checks (formats and levels are checked as they bind).</summary>
internal static class LoggingOptionsValidator
{
    public static List<string> Validate(LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Syslog.Address is { } address && SyslogSender.Parse(address) is null)
        {
            errors.Add($"Logging:Syslog:Address: '{address}' is not udp://HOST:PORT or tcp://HOST:PORT");
        }

        if (options.Amqp.Uri is { } uri && !(System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "amqp" or "amqps"))
        {
            // Not the URI itself: it may hold a password.
            errors.Add("Logging:Amqp:Uri: not an amqp:// or amqps:// URI");
        }

        if (string.IsNullOrWhiteSpace(options.Amqp.Exchange))
        {
            errors.Add("Logging:Amqp:Exchange: must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.Syslog.AppName))
        {
            errors.Add("Logging:Syslog:AppName: must not be empty");
        }

        if (options.Events.MaxAge < TimeSpan.FromDays(1))
        {
            errors.Add($"Logging:Events:MaxAge: {options.Events.MaxAge} is under a day (files are a day each)");
        }

        if (options.Events.MaxBytes < 1024 * 1024)
        {
            errors.Add($"Logging:Events:MaxBytes: {options.Events.MaxBytes} is under 1 MiB");
        }

        return errors;
    }
}
