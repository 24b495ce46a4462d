namespace Sluice.Core.Queue;

/// <summary>Counts by state and by destination domain (a message counts once per distinct recipient domain).</summary>
public sealed record QueueSummary(
    long Total,
    IReadOnlyDictionary<string, long> ByState,
    IReadOnlyDictionary<string, long> ByDomain,
    DateTimeOffset? OldestReceivedAt);
