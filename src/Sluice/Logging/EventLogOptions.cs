namespace Sluice.Logging;

/// <summary>The <c>Logging:Events</c> section: retention of the delivery event log (<c>DATA/events/events-YYYYMMDD.jsonl</c>, a file a day).</summary>
public sealed class EventLogOptions
{
    /// <summary>Day files older than this are deleted.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The oldest day files are deleted while the folder holds more than this (today's file is kept).</summary>
    public long MaxBytes { get; set; } = 1L << 30;
}
