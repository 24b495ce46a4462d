namespace Sluice.Core.Cluster;

/// <summary>
/// What a second-level cache read found: the entry's bytes (null: a miss) and the generation of
/// its scope at the time of the read. A value looked up after a miss is put back under that
/// generation, so that what was read before an invalidation is never served after it.
/// </summary>
public readonly record struct SharedCacheEntry(long Generation, byte[]? Value);
