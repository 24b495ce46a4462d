namespace Sluice.Core.Cluster;

/// <summary>
/// The cluster's sender rates (ADR 0038): every node adds what it counted, and reads back what the
/// others counted, so that a brake judges a sender on all the mail the cluster sent for it.
/// </summary>
public interface ISharedRates
{
    /// <summary>
    /// Drops the cleared series, adds the counted buckets, and returns, for each wanted series,
    /// what the other nodes counted from <see cref="RateExchange.OldestPeriod"/> on. Null when the
    /// store is away: nothing was added, and the caller keeps its counts for the next round. A
    /// transport fault in the middle of a round is thrown: part of it may have landed, so its counts
    /// are not sent again.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>?> ExchangeAsync(RateExchange exchange);
}
