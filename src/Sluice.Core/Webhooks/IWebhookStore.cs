namespace Sluice.Core.Webhooks;

/// <summary>Webhook subscriptions, their cursors and their dead letters (beside the message index: SQLite on one node, PostgreSQL in a cluster).</summary>
public interface IWebhookStore
{
    Task AddAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken cancellationToken);

    Task<Webhook?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Changes what a webhook gets or whether it is on; false when there is no such webhook.</summary>
    Task<bool> UpdateAsync(string id, int? eventMask, bool? enabled, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Moves a webhook's cursor on (never back).</summary>
    Task AdvanceAsync(string id, long cursor, CancellationToken cancellationToken);

    /// <summary>Keeps a batch given up on and moves the cursor past it, in one transaction.</summary>
    Task DeadLetterAsync(WebhookDeadLetter letter, long cursor, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookDeadLetter>> DeadLettersAsync(string webhookId, CancellationToken cancellationToken);

    Task<bool> RemoveDeadLetterAsync(long id, CancellationToken cancellationToken);

    /// <summary>Claims the right to post a webhook's events; null while another node holds it (see <see cref="IWebhookClaim"/>).</summary>
    Task<IWebhookClaim?> ClaimAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records a failed replay.</summary>
    Task UpdateDeadLetterAsync(long id, int attempts, string lastError, DateTimeOffset failedAt, CancellationToken cancellationToken);
}
