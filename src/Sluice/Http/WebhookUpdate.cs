namespace Sluice.Http;

/// <summary>PATCH /api/v1/webhooks/{id}: new event types and/or on or off; what is absent stays.</summary>
internal sealed record WebhookUpdate(string[]? Events, bool? Enabled);
