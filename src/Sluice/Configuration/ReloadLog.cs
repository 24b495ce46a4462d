namespace Sluice.Configuration;

internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Configuration reloaded ({Trigger}): delivery policy generation {Generation}, {Routes} routes, {Providers} shaping providers, {Domains} shaping domains")]
    public static partial void Reloaded(ILogger logger, string trigger, int generation, int routes, int providers, int domains);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) refused, the running configuration is kept: {Reason}")]
    public static partial void Refused(ILogger logger, string trigger, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Watching {Path} for changes; delivery routes, shaping, retries, egress and client settings reload live (also on SIGHUP)")]
    public static partial void Watching(ILogger logger, string path);
}
