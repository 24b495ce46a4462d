namespace Sluice.Core.Cluster;

/// <summary>
/// One round of sharing sender rates (ADR 0038): the series this node cleared (a sender resumed),
/// its counts since the last round, and the series it judges, whose other nodes' counts it wants
/// back. A series is a sender key's canonical text; a bucket's period is a number of
/// <see cref="Width"/>s, so nodes share only with nodes whose windows have the same width.
/// </summary>
public sealed record RateExchange(
    TimeSpan Width,
    long OldestPeriod,
    IReadOnlyList<string> Cleared,
    IReadOnlyList<(string Series, IReadOnlyList<RateBucket> Buckets)> Counted,
    IReadOnlyList<string> Wanted);
