namespace Sluice.Core.State;

/// <summary>An API key as stored: never its secret, only the secret's hash (kept by the store).</summary>
/// <param name="Id">The public part of the token, used to find the key.</param>
/// <param name="RequestsPerSecond">This key's rate limit; null for the node's default.</param>
/// <param name="StrictValidation">Refuse recipients whose domain does not accept mail at submission (strict), or accept them and let delivery decide (lenient, the default).</param>
public sealed record ApiKey(string Id, string Name, ApiScopes Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null, int? RequestsPerSecond = null, bool StrictValidation = false)
{
    public bool IsRevoked => RevokedAt is not null;
}
