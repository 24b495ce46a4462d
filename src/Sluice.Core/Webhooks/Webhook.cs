namespace Sluice.Core.Webhooks;

/// <summary>
/// An endpoint subscribed to event types (<see cref="Events.EventNames.Bit"/> per type). The secret
/// signs each post (HMAC-SHA256); <see cref="Cursor"/> is the sequence number of the last event it
/// has been given (or given up on into the dead letters).
/// </summary>
public sealed record Webhook(string Id, Uri Url, string Secret, int EventMask, DateTimeOffset CreatedAt, bool Enabled, long Cursor);
