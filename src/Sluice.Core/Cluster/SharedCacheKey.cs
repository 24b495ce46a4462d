namespace Sluice.Core.Cluster;

/// <summary>
/// A second-level cache entry's key: its kind, its scope — what an invalidation drops at once (a
/// domain, an API key's id, a template's id) — and the entry's name within the scope ("" when the
/// scope holds one entry; a template's "latest" and its versions).
/// </summary>
public readonly record struct SharedCacheKey(SharedCacheKind Kind, string Scope, string Name = "");
