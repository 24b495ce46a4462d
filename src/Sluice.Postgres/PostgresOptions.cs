namespace Sluice.Postgres;

/// <summary>The <c>Cluster:Postgres</c> section: the shared state of a cluster (ADR 0032). No connection string: the node keeps its state in its own state.db.</summary>
public sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a starting node waits for the database before it gives up.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}
