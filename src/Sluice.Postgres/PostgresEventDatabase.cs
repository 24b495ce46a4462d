using System.Data.Common;
using Npgsql;
using Sluice.Core.Events;
using Sluice.Core.Webhooks;

namespace Sluice.Postgres;

/// <summary>
/// The message index in the cluster's PostgreSQL (ADR 0035): every node writes its events there,
/// so a message's timeline, search, statistics and webhooks answer from any node. Batches commit
/// under one transaction-level advisory lock, so sequence numbers are committed in order across
/// nodes and a webhook cursor never passes over an event committed later with a lower number.
/// </summary>
public sealed class PostgresEventDatabase(PostgresDatabase database) : EventIndexDatabase
{
    /// <summary>The advisory lock every node's index batch takes (a key of its own beside the migration lock).</summary>
    internal const long BatchLock = 0x5_11CE_E7;

    /// <summary>The first key of webhook claims (the second is the webhook's).</summary>
    internal const int WebhookClaimClass = 0x5_11CE;

    public override string Location { get; } = Describe(database.DataSource.ConnectionString);

    public override bool SharedByNodes => true;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
        => await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override IndexSession OpenSession() => new PostgresIndexSession(database.DataSource.OpenConnection());

    public override bool IsFault(Exception exception)
        => exception is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException
            || (exception is InvalidOperationException && exception.InnerException is NpgsqlException);

    /// <summary>A session-level advisory lock on a connection of its own: held while that connection lives, so a node that dies frees it.</summary>
    public override async Task<IWebhookClaim?> ClaimAsync(string webhookId, CancellationToken cancellationToken)
        => await PostgresWebhookClaim.TryTakeAsync(database.DataSource, WebhookClaimClass, PostgresWebhookClaim.Key(webhookId), cancellationToken).ConfigureAwait(false);

    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }
}
