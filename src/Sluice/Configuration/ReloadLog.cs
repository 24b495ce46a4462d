namespace Sluice.Configuration;

internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Configuration reloaded ({Trigger}): {Applied}")]
    public static partial void Reloaded(ILogger logger, string trigger, string applied);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) refused, the running configuration is kept: {Reason}")]
    public static partial void Refused(ILogger logger, string trigger, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Watching {Path} for changes (also reloading on SIGHUP)")]
    public static partial void Watching(ILogger logger, string path);
}
