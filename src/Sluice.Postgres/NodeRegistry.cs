using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core.Telemetry;

namespace Sluice.Postgres;

/// <summary>
/// Each node says every few seconds that it lives (a row in <c>cluster_nodes</c>), so that any
/// node can tell which nodes there are, in which role, and which have stopped answering
/// (<c>sluice cluster status</c>). A node not seen for three beats is shown as gone; its row stays
/// until a day has passed, so that a dead node is visible, not forgotten.
/// </summary>
public sealed partial class NodeRegistry(PostgresDatabase database, ClusterNode self, TimeProvider time, ILogger<NodeRegistry> logger) : BackgroundService
{
    /// <summary>How often a node says it lives.</summary>
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(5);

    private readonly LogGate<string> _gate = new(time, TimeSpan.FromMinutes(1));

    public ClusterNode Self => self;

    /// <summary>Every node seen within the last day, newest first; null when the database cannot be asked.</summary>
    public async Task<IReadOnlyList<ClusterNode>?> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(
                "SELECT name, role, http, version, started_at AS StartedAt, seen_at AS SeenAt FROM cluster_nodes ORDER BY name",
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(r => new ClusterNode(r.Name, r.Role, r.Http, r.Version, DateTimeOffset.FromUnixTimeMilliseconds(r.StartedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.SeenAt)))];
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>Whether a node seen at <paramref name="seenAt"/> counts as alive now.</summary>
    public bool IsAlive(DateTimeOffset seenAt) => time.GetUtcNow() - seenAt < 3 * Beat;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO cluster_nodes (name, role, http, version, started_at, seen_at) VALUES (@Name, @Role, @Http, @Version, @Started, @Now)
                    ON CONFLICT (name) DO UPDATE SET role = excluded.role, http = excluded.http, version = excluded.version, started_at = excluded.started_at, seen_at = excluded.seen_at;
                    DELETE FROM cluster_nodes WHERE seen_at < @Forget
                    """,
                    new { self.Name, self.Role, self.Http, self.Version, Started = self.StartedAt.ToUnixTimeMilliseconds(), Now = now, Forget = now - (long)TimeSpan.FromDays(1).TotalMilliseconds },
                    cancellationToken: stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                if (_gate.ShouldLog("beat", out var unlogged))
                {
                    BeatFailed(logger, ex.Message, unlogged);
                }
            }

            try
            {
                await Task.Delay(Beat, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "Could not tell the cluster database this node lives ({Reason}); other nodes will show it as gone until it can; {Unlogged} more reports since the previous one")]
    private static partial void BeatFailed(ILogger logger, string reason, long unlogged);

    private sealed class Row
    {
        public string Name { get; set; } = string.Empty;

        public string Role { get; set; } = string.Empty;

        public string? Http { get; set; }

        public string Version { get; set; } = string.Empty;

        public long StartedAt { get; set; }

        public long SeenAt { get; set; }
    }
}
