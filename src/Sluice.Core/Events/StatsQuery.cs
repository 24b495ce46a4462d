namespace Sluice.Core.Events;

/// <summary>Statistics from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive) per hour or day (UTC), optionally for one sending domain or tag, split by <see cref="By"/>.</summary>
public sealed record StatsQuery(DateTimeOffset From, DateTimeOffset To, StatsInterval Interval, StatsBreakdown By = StatsBreakdown.None, string? SenderDomain = null, string? Tag = null);
