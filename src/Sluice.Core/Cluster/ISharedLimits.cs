namespace Sluice.Core.Cluster;

/// <summary>
/// Shaping limits kept for the whole cluster rather than per node (issue 14): open connections
/// per site × source as leases that lapse when their node stops renewing them, and message and
/// connection rates as one GCRA schedule. An implementation that loses its shared store carries
/// on with this node's share of each limit; it never throws for that.
/// </summary>
public interface ISharedLimits
{
    /// <summary>How long a queue refused a lease waits before it asks again.</summary>
    TimeSpan RetryAfter { get; }

    /// <summary>One of at most <paramref name="max"/> connections to <paramref name="key"/> across the cluster; null when all are taken.</summary>
    ValueTask<SharedLease?> TryLeaseAsync(SharedLimitKey key, int max);

    /// <summary>Whether another node waits for a lease of <paramref name="key"/>: this node's idle connections to it should close and give theirs back.</summary>
    bool IsWanted(SharedLimitKey key);

    /// <summary>
    /// Null while the limits are shared and every lease this node holds of <paramref name="key"/>
    /// is counted there; otherwise (the shared store away or just back, or leases revoked because
    /// their renewal came after another node took their place) how many connections of a limit of
    /// <paramref name="max"/> this node may have: a queue holding more gives the extra back as its
    /// connections finish their message.
    /// </summary>
    int? ShareOf(SharedLimitKey key, int max);

    /// <summary>Gives a lease back (never throws; a lease that cannot be given back lapses).</summary>
    void Release(SharedLease lease);

    /// <summary>Books the next event at <paramref name="perSecond"/> with bursts of <paramref name="burst"/> for the whole cluster; the wait until it may happen.</summary>
    ValueTask<TimeSpan> ReserveAsync(SharedLimitKey key, SharedRateKind kind, double perSecond, int burst);
}
