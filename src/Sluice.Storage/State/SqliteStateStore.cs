using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.State;

namespace Sluice.Storage.State;

/// <summary>
/// The embedded state store: <c>state.db</c> in the data folder (SQLite, WAL), separate from the
/// spool so that its writes never wait behind message commits. Plain SQL through Dapper (ADR 0012).
/// </summary>
public sealed partial class SqliteStateStore : IApiKeyStore, IIdempotencyStore, ISuppressionStore, ITemplateStore, ISoftBounceLedger
{
    private readonly string _connectionString;

    private SqliteStateStore(string connectionString) => _connectionString = connectionString;

    public static SqliteStateStore Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "state.db"),
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
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
            """);
        if (!connection.Query<string>("SELECT name FROM pragma_table_info('api_keys')").Contains("strict"))
        {
            // A state.db from before per-key validation.
            connection.Execute("ALTER TABLE api_keys ADD COLUMN strict INTEGER NOT NULL DEFAULT 0");
        }

        return new SqliteStateStore(connectionString);
    }

    public async Task AddAsync(ApiKey key, string secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, requests_per_second, strict) VALUES (@Id, @Name, @Scopes, @Hash, @Created, @Rate, @Strict)",
            new { key.Id, key.Name, Scopes = (int)key.Scopes, Hash = secretHash, Created = key.CreatedAt.ToUnixTimeMilliseconds(), Rate = key.RequestsPerSecond, Strict = key.StrictValidation ? 1 : 0 },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<(ApiKey Key, string SecretHash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            "SELECT id, name, scopes, secret_hash AS SecretHash, created_at AS CreatedAt, revoked_at AS RevokedAt, requests_per_second AS RequestsPerSecond, strict AS Strict FROM api_keys WHERE id = @id",
            new { id },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : (row.ToKey(), row.SecretHash);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            "SELECT id, name, scopes, secret_hash AS SecretHash, created_at AS CreatedAt, revoked_at AS RevokedAt, requests_per_second AS RequestsPerSecond, strict AS Strict FROM api_keys ORDER BY created_at",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToKey())];
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<IdempotencyRecord?> TryReserveAsync(string keyId, string idempotencyKey, string requestHash, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // Expired records go first, so a key can be used again after its window.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency WHERE key_id = @keyId AND idempotency_key = @idempotencyKey AND expires_at <= @now",
            new { keyId, idempotencyKey, now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO idempotency (key_id, idempotency_key, request_hash, expires_at) VALUES (@keyId, @idempotencyKey, @requestHash, @expires)",
            new { keyId, idempotencyKey, requestHash, expires = expires.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            return null;
        }

        var row = await connection.QuerySingleAsync<IdempotencyRow>(new CommandDefinition(
            "SELECT request_hash AS RequestHash, status AS Status, body AS Body FROM idempotency WHERE key_id = @keyId AND idempotency_key = @idempotencyKey",
            new { keyId, idempotencyKey },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new IdempotencyRecord(row.RequestHash, row.Status is { } status ? (int)status : null, row.Body);
    }

    public async Task CompleteAsync(string keyId, string idempotencyKey, int status, string body, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotency SET status = @status, body = @body WHERE key_id = @keyId AND idempotency_key = @idempotencyKey",
            new { keyId, idempotencyKey, status, body },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string keyId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency WHERE key_id = @keyId AND idempotency_key = @idempotencyKey AND status IS NULL",
            new { keyId, idempotencyKey },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task UpsertAsync(IReadOnlyCollection<Suppression> suppressions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR REPLACE INTO suppressions (address, scope, reason, created_at, expires_at) VALUES (@Address, @Scope, @Reason, @CreatedAt, @ExpiresAt)",
            suppressions.Select(s => new
            {
                Address = s.Address.ToLowerInvariant(),
                Scope = s.Scope?.ToLowerInvariant() ?? string.Empty,
                Reason = (int)s.Reason,
                CreatedAt = s.CreatedAt.ToUnixTimeMilliseconds(),
                ExpiresAt = s.ExpiresAt?.ToUnixTimeMilliseconds(),
            }),
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RemoveSuppressionAsync(string address, string? scope, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM suppressions WHERE address = @address AND scope = @scope",
            new { address = address.ToLowerInvariant(), scope = scope?.ToLowerInvariant() ?? string.Empty },
            cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<Suppression>> ListSuppressionsAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SuppressionRow>(new CommandDefinition(
            "SELECT address, scope, reason, created_at AS CreatedAt, expires_at AS ExpiresAt FROM suppressions WHERE (address || char(1) || scope) > @after ORDER BY address, scope LIMIT @limit",
            new { after = after ?? string.Empty, limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToSuppression())];
    }

    public async Task<IReadOnlyList<Suppression>> FindSuppressionsAsync(string address, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SuppressionRow>(new CommandDefinition(
            "SELECT address, scope, reason, created_at AS CreatedAt, expires_at AS ExpiresAt FROM suppressions WHERE address = @address ORDER BY scope",
            new { address = address.ToLowerInvariant() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToSuppression())];
    }

    public async Task AddAsync(Template version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var template = version;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO templates (id, version, name, subject, html, text, created_at) VALUES (@Id, @Version, @Name, @Subject, @Html, @Text, @Created)",
            new { template.Id, template.Version, template.Name, template.Subject, template.Html, template.Text, Created = template.CreatedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Template?> GetTemplateAsync(string id, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<TemplateRow>(new CommandDefinition(
            version is null
                ? "SELECT id, version, name, subject, html, text, created_at AS CreatedAt FROM templates WHERE id = @id ORDER BY version DESC LIMIT 1"
                : "SELECT id, version, name, subject, html, text, created_at AS CreatedAt FROM templates WHERE id = @id AND version = @version",
            new { id, version },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToTemplate();
    }

    public async Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TemplateRow>(new CommandDefinition(
            "SELECT t.id, t.version, t.name, t.subject, t.html, t.text, t.created_at AS CreatedAt FROM templates t WHERE t.version = (SELECT MAX(version) FROM templates WHERE id = t.id) ORDER BY t.name",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToTemplate())];
    }

    public async Task<bool> DeleteTemplateAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM templates WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private sealed class TemplateRow
    {
        public string Id { get; set; } = string.Empty;

        public long Version { get; set; }

        public string Name { get; set; } = string.Empty;

        public string? Subject { get; set; }

        public string? Html { get; set; }

        public string? Text { get; set; }

        public long CreatedAt { get; set; }

        public Template ToTemplate() => new(Id, (int)Version, Name, Subject, Html, Text, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }

    private sealed class SuppressionRow
    {
        public string Address { get; set; } = string.Empty;

        public string Scope { get; set; } = string.Empty;

        public long Reason { get; set; }

        public long CreatedAt { get; set; }

        public long? ExpiresAt { get; set; }

        public Suppression ToSuppression() => new(
            Address,
            Scope.Length == 0 ? null : Scope,
            (SuppressionReason)Reason,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            ExpiresAt is { } expires ? DateTimeOffset.FromUnixTimeMilliseconds(expires) : null);
    }

    private sealed class IdempotencyRow
    {
        public string RequestHash { get; set; } = string.Empty;

        public long? Status { get; set; }

        public string? Body { get; set; }
    }

    private sealed class KeyRow
    {
        public string Id { get; set; } = string.Empty;

        public string Name { get; set; } = string.Empty;

        public long Scopes { get; set; }

        public string SecretHash { get; set; } = string.Empty;

        public long CreatedAt { get; set; }

        public long? RevokedAt { get; set; }

        public long? RequestsPerSecond { get; set; }

        public long Strict { get; set; }

        public ApiKey ToKey() => new(
            Id,
            Name,
            (ApiScopes)Scopes,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            RevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null,
            RequestsPerSecond is { } rate ? (int)rate : null,
            Strict != 0);
    }
}
