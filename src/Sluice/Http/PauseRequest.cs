namespace Sluice.Http;

/// <summary>Body of POST /api/v1/senders/pauses: the sender (<c>sender_domain:…</c>, <c>tag:…</c>, <c>api_key:…</c>), for how long (default one hour), and why.</summary>
internal sealed record PauseRequest(string? Sender, int? Minutes, string? Reason);
