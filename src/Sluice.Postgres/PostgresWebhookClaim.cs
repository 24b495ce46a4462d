using Npgsql;
using Sluice.Core.Webhooks;

namespace Sluice.Postgres;

/// <summary>
/// A webhook claimed by this node: a session-level advisory lock held on a connection kept open for
/// it. If the node dies or its connection breaks, PostgreSQL frees the lock and another node's next
/// try takes it. Given back with an explicit unlock (a pooled connection is also reset on return,
/// which frees session locks).
/// </summary>
internal sealed class PostgresWebhookClaim : IWebhookClaim
{
    private readonly NpgsqlConnection _connection;
    private readonly int _class;
    private readonly int _key;

    private PostgresWebhookClaim(NpgsqlConnection connection, int @class, int key)
    {
        _connection = connection;
        _class = @class;
        _key = key;
    }

    /// <summary>The webhook's lock key: FNV-1a of its id (stable across processes, unlike string hashes); two ids on one key only means one node posts both.</summary>
    public static int Key(string webhookId)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        var hash = 2166136261u;
        foreach (var c in webhookId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return unchecked((int)hash);
    }

    public static async Task<IWebhookClaim?> TryTakeAsync(NpgsqlDataSource dataSource, int @class, int key, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection) { Parameters = { new() { Value = @class }, new() { Value = key } } };
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return new PostgresWebhookClaim(connection, @class, key);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public async Task<bool> HeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", _connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", _connection) { Parameters = { new() { Value = _class }, new() { Value = _key } } };
            await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
