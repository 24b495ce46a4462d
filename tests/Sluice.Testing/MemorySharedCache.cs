using System.Collections.Concurrent;
using Sluice.Core.Cluster;

namespace Sluice.Testing;

/// <summary>The cluster's second-level cache played in memory (generations, invalidation, reads and writes counted) for tests of what uses it.</summary>
public sealed class MemorySharedCache : ISharedCache
{
    private readonly ConcurrentDictionary<(SharedCacheKind, string), long> _generations = new();
    private readonly ConcurrentDictionary<(SharedCacheKey, long), byte[]> _entries = new();
    private int _puts;

    public event Action<SharedCacheKind, string>? Invalidated;

    public int Puts => Volatile.Read(ref _puts);

    public ValueTask<SharedCacheEntry> GetAsync(SharedCacheKey key)
    {
        var generation = _generations.GetValueOrDefault((key.Kind, key.Scope));
        return ValueTask.FromResult(new SharedCacheEntry(generation, _entries.GetValueOrDefault((key, generation))));
    }

    public void Put(SharedCacheKey key, long generation, byte[] value, TimeSpan ttl)
    {
        Interlocked.Increment(ref _puts);
        _entries[(key, generation)] = value;
    }

    public Task InvalidateAsync(SharedCacheKind kind, string scope)
    {
        _generations.AddOrUpdate((kind, scope), 1, (_, g) => g + 1);
        Invalidated?.Invoke(kind, scope);
        return Task.CompletedTask;
    }
}
