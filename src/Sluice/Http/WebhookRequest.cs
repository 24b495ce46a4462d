namespace Sluice.Http;

/// <summary>POST /api/v1/webhooks: where to post, which event types (names as in the payload), and optionally the signing secret (one is made when absent).</summary>
internal sealed record WebhookRequest(string? Url, string[]? Events, string? Secret);
