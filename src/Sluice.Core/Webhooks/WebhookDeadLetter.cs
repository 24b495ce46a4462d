namespace Sluice.Core.Webhooks;

/// <summary>A batch an endpoint did not take after every retry: its events as posted (JSON), and why the last try failed.</summary>
public sealed record WebhookDeadLetter(long Id, string WebhookId, DateTimeOffset FailedAt, int Attempts, string LastError, int EventCount, string Payload);
