using System.Data.Common;
using Dapper;
using Sluice.Core.Events;

namespace Sluice.Core.Webhooks;

/// <summary>
/// Webhook subscriptions, cursors and dead letters in the message index's database (SQLite on one
/// node, PostgreSQL in a cluster), so that a cursor and the events it points into are kept
/// together. The statements are SQL both databases understand.
/// </summary>
public sealed class SqlWebhookStore : IWebhookStore
{
    private readonly EventIndexDatabase _database;

    public SqlWebhookStore(EventIndexDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public Task<IWebhookClaim?> ClaimAsync(string id, CancellationToken cancellationToken) => _database.ClaimAsync(id, cancellationToken);

    public async Task AddAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO webhooks (id, url, secret, event_mask, created_at, enabled, cursor) VALUES (@Id, @Url, @Secret, @EventMask, @CreatedAt, @Enabled, @Cursor)",
            new { webhook.Id, Url = webhook.Url.AbsoluteUri, webhook.Secret, webhook.EventMask, CreatedAt = webhook.CreatedAt.ToUnixTimeMilliseconds(), Enabled = webhook.Enabled ? 1 : 0, webhook.Cursor },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition($"{Select} ORDER BY created_at, id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToWebhook()).ToList();
    }

    public async Task<Webhook?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition($"{Select} WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToWebhook();
    }

    public async Task<bool> UpdateAsync(string id, int? eventMask, bool? enabled, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhooks SET event_mask = coalesce(@eventMask, event_mask), enabled = coalesce(@enabled, enabled) WHERE id = @id",
            new { id, eventMask, enabled = enabled is null ? (int?)null : enabled.Value ? 1 : 0 },
            cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM webhook_dead_letters WHERE webhook_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var removed = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM webhooks WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    public async Task AdvanceAsync(string id, long cursor, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Advance, new { id, cursor }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task DeadLetterAsync(WebhookDeadLetter letter, long cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO webhook_dead_letters (webhook_id, failed_at, attempts, last_error, event_count, payload) VALUES (@WebhookId, @FailedAt, @Attempts, @LastError, @EventCount, @Payload)",
            new { letter.WebhookId, FailedAt = letter.FailedAt.ToUnixTimeMilliseconds(), letter.Attempts, letter.LastError, letter.EventCount, letter.Payload },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Advance, new { id = letter.WebhookId, cursor }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WebhookDeadLetter>> DeadLettersAsync(string webhookId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<DeadLetterRow>(new CommandDefinition(
            "SELECT id AS Id, webhook_id AS WebhookId, failed_at AS FailedAt, attempts AS Attempts, last_error AS LastError, event_count AS EventCount, payload AS Payload FROM webhook_dead_letters WHERE webhook_id = @webhookId ORDER BY id",
            new { webhookId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new WebhookDeadLetter(r.Id, r.WebhookId, DateTimeOffset.FromUnixTimeMilliseconds(r.FailedAt), (int)r.Attempts, r.LastError, (int)r.EventCount, r.Payload)).ToList();
    }

    public async Task<bool> RemoveDeadLetterAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM webhook_dead_letters WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task UpdateDeadLetterAsync(long id, int attempts, string lastError, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_dead_letters SET attempts = @attempts, last_error = @lastError, failed_at = @failedAt WHERE id = @id",
            new { id, attempts, lastError, failedAt = failedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A cursor only moves on.</summary>
    private const string Advance = "UPDATE webhooks SET cursor = @cursor WHERE id = @id AND cursor < @cursor";

    private const string Select = "SELECT id AS Id, url AS Url, secret AS Secret, event_mask AS EventMask, created_at AS CreatedAt, enabled AS Enabled, cursor AS Cursor FROM webhooks";

    private ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private sealed class WebhookRow
    {
        public string Id { get; set; } = string.Empty;

        public string Url { get; set; } = string.Empty;

        public string Secret { get; set; } = string.Empty;

        public long EventMask { get; set; }

        public long CreatedAt { get; set; }

        public long Enabled { get; set; }

        public long Cursor { get; set; }

        public Webhook ToWebhook() => new(Id, new Uri(Url), Secret, (int)EventMask, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), Enabled != 0, Cursor);
    }

    private sealed class DeadLetterRow
    {
        public long Id { get; set; }

        public string WebhookId { get; set; } = string.Empty;

        public long FailedAt { get; set; }

        public long Attempts { get; set; }

        public string LastError { get; set; } = string.Empty;

        public long EventCount { get; set; }

        public string Payload { get; set; } = string.Empty;
    }
}
