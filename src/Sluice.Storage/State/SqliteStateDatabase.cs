using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.State;

namespace Sluice.Storage.State;

/// <summary>
/// The embedded state store's database: <c>state.db</c> in the data folder (SQLite, WAL), separate
/// from the spool so that its writes never wait behind message commits (ADR 0012). Creates the
/// schema and hands out the shared <see cref="SqlStateStore"/> over it.
/// </summary>
public static class SqliteStateDatabase
{
    public static SqlStateStore Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "state.db"),
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            connection.Execute("""
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=FULL;
                CREATE TABLE IF NOT EXISTS api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    scopes INTEGER NOT NULL,
                    secret_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER NULL,
                    requests_per_second INTEGER NULL,
                    strict INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS idempotency (
                    key_id TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INTEGER NULL,
                    body TEXT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (key_id, idempotency_key));
                CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
                CREATE TABLE IF NOT EXISTS suppressions (
                    address TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    reason INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NULL,
                    PRIMARY KEY (address, scope));
                CREATE TABLE IF NOT EXISTS templates (
                    id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    subject TEXT NULL,
                    html TEXT NULL,
                    text TEXT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (id, version));
                CREATE TABLE IF NOT EXISTS soft_bounces (
                    address TEXT NOT NULL COLLATE NOCASE,
                    at INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS soft_bounces_address ON soft_bounces (address, at);
                CREATE INDEX IF NOT EXISTS soft_bounces_at ON soft_bounces (at);
                CREATE TABLE IF NOT EXISTS suspensions_of_destinations (
                    destination TEXT PRIMARY KEY,
                    until INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS sender_pauses (
                    sender TEXT PRIMARY KEY,
                    since INTEGER NOT NULL,
                    until INTEGER NOT NULL,
                    cause TEXT NOT NULL,
                    reason TEXT NOT NULL);
                """);
            if (!connection.Query<string>("SELECT name FROM pragma_table_info('api_keys')").Contains("strict"))
            {
                // A state.db from before per-key validation.
                connection.Execute("ALTER TABLE api_keys ADD COLUMN strict INTEGER NOT NULL DEFAULT 0");
            }
        }

        return new SqlStateStore(async cancellationToken =>
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        });
    }
}
