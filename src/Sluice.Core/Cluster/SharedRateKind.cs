namespace Sluice.Core.Cluster;

/// <summary>Which rate a cluster-wide rate limit paces.</summary>
public enum SharedRateKind
{
    Messages,
    Connections,
}
