using Microsoft.Extensions.Logging;

namespace Sluice.Storage;

internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Spool opened at {Path} with {Depth} queued messages")]
    public static partial void Opened(ILogger logger, string path, long depth);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Spool writes failed ({Cause}): {Operations} operations not made durable, none of them acknowledged; {Unlogged} more reports since the previous one")]
    public static partial void CommitFailed(ILogger logger, SpoolFailure cause, long operations, long unlogged, Exception? exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Spool disk full at {Path} ({Available} bytes free): {Operations} operations failed and were retried without new messages (acks, leases and deletes go on; new mail gets 452 until space returns); {Unlogged} more reports since the previous one")]
    public static partial void DiskFull(ILogger logger, string path, long available, long operations, long unlogged);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Spool at {Path} has {Available} bytes free, under Spool:MinFreeBytes ({MinFree}): {Operations} new messages refused; {Unlogged} more reports since the previous one")]
    public static partial void NoRoom(ILogger logger, string path, long available, long minFree, long operations, long unlogged);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Spool at {Path}: the disk was full at start-up; the reserve ({Bytes} bytes) was given up so that the spool could open")]
    public static partial void ReserveUsedAtOpen(ILogger logger, string path, long bytes);
}
