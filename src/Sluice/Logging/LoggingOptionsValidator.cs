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

        if (string.IsNullOrWhiteSpace(options.Syslog.AppName))
        {
            errors.Add("Logging:Syslog:AppName: must not be empty");
        }

        return errors;
    }
}
