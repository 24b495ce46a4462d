namespace Sluice.Core.Cluster;

/// <summary>Whether this node holds the cluster's leader lease now: work only one node should do (pruning shared tables) asks first.</summary>
public interface ILeadership
{
    bool IsLeader { get; }
}
