namespace Sluice.Http;

/// <summary>Body of POST /api/v1/queue/suspensions: a domain or site, and for how long (default one hour).</summary>
internal sealed record SuspendRequest(string? Destination, int? Minutes);
