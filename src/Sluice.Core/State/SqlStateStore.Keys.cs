using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    private const string KeyColumns = "id, name, scopes, secret_hash AS SecretHash, created_at AS CreatedAt, revoked_at AS RevokedAt, requests_per_second AS RequestsPerSecond, strict AS Strict";

    public Task AddAsync(ApiKey key, string secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, requests_per_second, strict) VALUES (@Id, @Name, @Scopes, @Hash, @Created, @Rate, @Strict)",
                new { key.Id, key.Name, Scopes = (long)key.Scopes, Hash = secretHash, Created = Millis(key.CreatedAt), Rate = (long?)key.RequestsPerSecond, Strict = key.StrictValidation ? 1L : 0L },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.ApiKey, key.Id),
            cancellationToken);
    }

    public async Task<(ApiKey Key, string SecretHash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            $"SELECT {KeyColumns} FROM api_keys WHERE id = @id",
            new { id },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : (row.ToKey(), row.SecretHash);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            $"SELECT {KeyColumns} FROM api_keys ORDER BY created_at",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToKey())];
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
        => await WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
                new { id, at = Millis(at) },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.ApiKey, id),
            cancellationToken).ConfigureAwait(false) == 1;

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
            At(CreatedAt),
            RevokedAt is { } revoked ? At(revoked) : null,
            RequestsPerSecond is { } rate ? (int)rate : null,
            Strict != 0);
    }
}
