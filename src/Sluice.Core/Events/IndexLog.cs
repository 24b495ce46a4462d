using Microsoft.Extensions.Logging;

namespace Sluice.Core.Events;

/// <summary>The message index's log events (3100–3104).</summary>
internal static partial class IndexLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Message index opened at {Location}, last event {Sequence}")]
    public static partial void Opened(ILogger logger, string location, long sequence);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Message index could not write {Events} events (mail is not affected; searches, statistics and webhooks miss them); {Unlogged} more reports since the previous one")]
    public static partial void WriteFailed(ILogger logger, int events, long unlogged, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Message index: the disk is short of space, {Events} events not indexed (the spool's reserve comes first); {Unlogged} more reports since the previous one")]
    public static partial void ShortOfSpace(ILogger logger, int events, long unlogged);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Message index could not write {Events} events: kept and tried again ({Backlog} waiting); {Unlogged} more reports since the previous one")]
    public static partial void WriteRetried(ILogger logger, int events, long backlog, long unlogged, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Message index pruned {Events} events and {Messages} message and recipient rows older than {Oldest:u}")]
    public static partial void Pruned(ILogger logger, long events, long messages, DateTimeOffset oldest);
}
