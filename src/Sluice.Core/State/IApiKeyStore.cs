namespace Sluice.Core.State;

/// <summary>Where API keys live: the embedded SQLite state store on one node, PostgreSQL in a cluster.</summary>
public interface IApiKeyStore
{
    Task AddAsync(ApiKey key, string secretHash, CancellationToken cancellationToken);

    Task<(ApiKey Key, string SecretHash)?> FindAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False when there is no such key (or it was revoked already).</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
