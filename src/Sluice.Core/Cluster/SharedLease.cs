namespace Sluice.Core.Cluster;

/// <summary>One connection slot held against a cluster-wide limit, until given back or its holder stops renewing it.</summary>
public sealed class SharedLease(SharedLimitKey key, string id)
{
    public SharedLimitKey Key { get; } = key;

    /// <summary>Unique across the cluster: the node's name and a counter.</summary>
    public string Id { get; } = id;
}
