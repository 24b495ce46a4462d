namespace Sluice.Configuration;

/// <summary>
/// The <c>Cluster</c> section (ADR 0032): the shared servers that turn nodes into one system.
/// Nothing set: a single node on its embedded stores, nothing else to install.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>This node's name in the cluster (<c>sluice cluster status</c>); default the host name and the HTTP port.</summary>
    public string? NodeName { get; set; }

    /// <summary>Shared state (API keys, templates, suppressions, idempotency, soft bounces) in PostgreSQL.</summary>
    public Postgres.PostgresOptions Postgres { get; set; } = new();

    /// <summary>The message queue on RabbitMQ quorum queues, shared by every node (ADR 0033).</summary>
    public RabbitMq.RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Connection and rate limits kept for the whole cluster, and its leader lease, on Redis.</summary>
    public Redis.RedisOptions Redis { get; set; } = new();

    /// <summary>How the node takes part, as <c>sluice cluster status</c> shows it: active or standby on the shared queue, independent on its own.</summary>
    public string RoleName => RabbitMq.Enabled ? RabbitMq.Role.ToString().ToLowerInvariant() : "independent";
}
