namespace Sluice.Core.State;

/// <summary>
/// Idempotency records per API key: the first request with a key reserves it, later ones get the
/// first one's answer. Reserving is atomic, so concurrent retries cannot both go through.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>Null when this call reserved the key (go ahead); otherwise the record already there.</summary>
    Task<IdempotencyRecord?> TryReserveAsync(string keyId, string idempotencyKey, string requestHash, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken);

    Task CompleteAsync(string keyId, string idempotencyKey, int status, string body, CancellationToken cancellationToken);

    /// <summary>The request failed before it changed anything: forget the reservation so a retry can run.</summary>
    Task ReleaseAsync(string keyId, string idempotencyKey, CancellationToken cancellationToken);
}
