namespace Sluice.RabbitMq;

/// <summary>How a node consumes the cluster queue (active-active or active-passive failover).</summary>
public enum NodeRole
{
    /// <summary>Consumes whenever it is connected; every active node shares the work.</summary>
    Active,

    /// <summary>Consumes only while no other node does.</summary>
    Standby,
}
