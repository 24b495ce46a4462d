namespace Sluice.Core.Cluster;

/// <summary>
/// The cluster's second-level cache (issue 14), behind each node's own: what one node looked up
/// (a DNS answer, a domain's verdict, an API key, a template) the others find without asking the
/// DNS or the database again. Entries live for the time they are given; an invalidation drops a
/// whole scope at once (its generation moves on, so an entry read before it and put back after it
/// lands where nobody looks), and every node hears of it to drop its own copy. The store being
/// away is a miss, never an error: callers fall back to the source.
/// </summary>
public interface ISharedCache
{
    ValueTask<SharedCacheEntry> GetAsync(SharedCacheKey key);

    /// <summary>Stores an entry under the generation its miss was read at, without waiting (a lost write is a later miss).</summary>
    void Put(SharedCacheKey key, long generation, byte[] value, TimeSpan ttl);

    /// <summary>Drops every entry of a scope, everywhere: the shared copies, and each node's own through <see cref="Invalidated"/>.</summary>
    Task InvalidateAsync(SharedCacheKind kind, string scope);

    /// <summary>Raised on every node (this one too) for each scope invalidated anywhere.</summary>
    event Action<SharedCacheKind, string>? Invalidated;
}
