namespace Sluice.Core.Cluster;

/// <summary>A rate a ready queue waits on before each message or connection: this node's own, or the cluster's.</summary>
public interface IRateGate
{
    /// <summary>Books one event and waits for its slot.</summary>
    ValueTask WaitAsync(CancellationToken cancellationToken);
}
