using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core.State;

namespace Sluice.Postgres;

/// <summary>
/// The cluster's PostgreSQL database (ADR 0032): one pooled data source per node, the schema
/// brought up to this node's version at start (under an advisory lock, so nodes starting together
/// migrate once), and the state store over it, which announces every change to the other nodes.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    /// <summary>The channel every state change is announced on (<c>pg_notify</c>), committed with the change.</summary>
    internal const string StateChannel = "sluice_state";

    /// <summary>Any fixed number: the advisory lock that serialises migrations across nodes.</summary>
    private const long MigrationLock = 0x5_11CE;

    private PostgresDatabase(NpgsqlDataSource dataSource, int schemaVersion)
    {
        DataSource = dataSource;
        SchemaVersion = schemaVersion;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The schema version after start (this node's latest).</summary>
    public int SchemaVersion { get; }

    /// <summary>
    /// Connects (waiting up to <see cref="PostgresOptions.StartTimeout"/> for the server) and applies
    /// the migrations this database lacks. Throws <see cref="PostgresStartException"/>, whose message
    /// is one line for the operator, when the database cannot be reached or is newer than this node.
    /// </summary>
    public static async Task<PostgresDatabase> OpenAsync(PostgresOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataSource = NpgsqlDataSource.Create(options.ConnectionString!);
        try
        {
            var version = await MigrateAsync(dataSource, options.StartTimeout, time, logger, cancellationToken).ConfigureAwait(false);
            return new PostgresDatabase(dataSource, version);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The state store (keys, idempotency, suppressions, templates, soft bounces) in this database.</summary>
    public SqlStateStore CreateStateStore()
        => new(
            async cancellationToken => await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false),
            AnnounceAsync);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static async Task AnnounceAsync(DbConnection connection, DbTransaction transaction, StateChange change, CancellationToken cancellationToken)
        => await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_notify(@channel, @payload)",
            new { channel = StateChannel, payload = StateChangeMessage.Format(change) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);

    private static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, TimeSpan startTimeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await ApplyAsync(connection, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (ex.IsTransient || ex.InnerException is System.Net.Sockets.SocketException or TimeoutException)
            {
                if (time.GetElapsedTime(started) >= startTimeout)
                {
                    throw new PostgresStartException($"Cluster:Postgres: cannot reach the database within {startTimeout.TotalSeconds:0} s: {ex.Message}", ex);
                }

                PostgresLog.Waiting(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                // The server answered and refused (authentication, a missing database, rights).
                throw new PostgresStartException($"Cluster:Postgres: the database refused this node: {ex.MessageText} ({ex.SqlState})", ex);
            }
        }
    }

    private static async Task<int> ApplyAsync(NpgsqlConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@lock)", new { @lock = MigrationLock }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS sluice_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT max(version) FROM sluice_schema", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
        if (current > SchemaMigrations.Latest)
        {
            throw new PostgresStartException($"Cluster:Postgres: the database's schema is at version {current}, newer than this node's {SchemaMigrations.Latest}: upgrade this node");
        }

        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO sluice_schema (version, name) VALUES (@Version, @Name)",
                new { migration.Version, migration.Name },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            PostgresLog.Migrated(logger, migration.Version, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return SchemaMigrations.Latest;
    }
}
