namespace Sluice.RabbitMq;

/// <summary>The <c>Cluster:RabbitMq</c> section: the cluster's message queue (ADR 0033). No URIs: the node's embedded spool is its queue.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>One AMQP URI per broker of the cluster (<c>amqp://user:password@host:5672/vhost</c>); the node connects to the first that answers. User, password and vhost come from the first.</summary>
    public List<string> Uris { get; set; } = [];

    /// <summary>How many quorum queues the due messages are spread over, so that no single queue (one Raft log) is the ceiling.</summary>
    public int Shards { get; set; } = 4;

    /// <summary>Unacknowledged messages a node holds per queue it consumes (the broker's prefetch): what one node can have in hand.</summary>
    public int Prefetch { get; set; } = 250;

    /// <summary>How long an enqueue waits for the brokers' confirmation before the sender is told to retry (451 / 503).</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Active: consumes always. Standby: consumes only while no active node does (takes over within seconds of the last one's death, gives back when one returns); takes mail either way.</summary>
    public NodeRole Role { get; set; } = NodeRole.Active;

    public bool Enabled => Uris.Count > 0;
}
