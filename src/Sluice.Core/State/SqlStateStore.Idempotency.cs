using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    public async Task<IdempotencyRecord?> TryReserveAsync(string keyId, string idempotencyKey, string requestHash, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);

        // Expired records go first, so a key can be used again after its window.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency WHERE key_id = @keyId AND idempotency_key = @idempotencyKey AND expires_at <= @now",
            new { keyId, idempotencyKey, now = Millis(now) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);

        // Atomic in both databases: of two concurrent retries exactly one inserts.
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO idempotency (key_id, idempotency_key, request_hash, expires_at) VALUES (@keyId, @idempotencyKey, @requestHash, @expires) ON CONFLICT DO NOTHING",
            new { keyId, idempotencyKey, requestHash, expires = Millis(expires) },
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
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotency SET status = @status, body = @body WHERE key_id = @keyId AND idempotency_key = @idempotencyKey",
            new { keyId, idempotencyKey, status = (long)status, body },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string keyId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency WHERE key_id = @keyId AND idempotency_key = @idempotencyKey AND status IS NULL",
            new { keyId, idempotencyKey },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private sealed class IdempotencyRow
    {
        public string RequestHash { get; set; } = string.Empty;

        public long? Status { get; set; }

        public string? Body { get; set; }
    }
}
