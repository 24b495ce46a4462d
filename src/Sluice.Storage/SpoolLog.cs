using Microsoft.Extensions.Logging;

namespace Sluice.Storage;

internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Spool opened at {Path} with {Depth} queued messages")]
    public static partial void Opened(ILogger logger, string path, long depth);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Spool commit of {Count} operations failed (SQLite error {Code}); none of them was acknowledged")]
    public static partial void CommitFailed(ILogger logger, int count, int code, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Spool commit of {Count} operations failed writing or syncing a body segment (error {Code}); none of them was acknowledged")]
    public static partial void SegmentWriteFailed(ILogger logger, int count, int code, Exception exception);
}
