namespace Sluice.Redis;

/// <summary>
/// The <c>Cluster:Redis</c> section: limits kept for the whole cluster (connections per site ×
/// source, message and connection rates), the cluster's second-level caches, and its leader lease.
/// No configuration: every node keeps its own limits.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string (<c>host:port,password=…,ssl=true</c>).</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// How long a connection lease, a node's beat and the leader lease last unless renewed (they
    /// are renewed every third of it): what a dead node holds is free again at most this long after.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a queue refused a connection lease waits before it asks again.</summary>
    public TimeSpan LeaseRetry { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Every key this cluster writes starts with this (several clusters can share one Redis).</summary>
    public string KeyPrefix { get; set; } = "sluice:";

    /// <summary>How long one command may take before Redis is taken for away (and the node falls back to its share).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>Leases, beats and the leader lease are renewed this often.</summary>
    public TimeSpan RenewInterval => LeaseTtl / 3;
}
