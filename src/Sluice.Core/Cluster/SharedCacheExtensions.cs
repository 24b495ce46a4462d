namespace Sluice.Core.Cluster;

/// <summary>How a first-level cache follows the second: one place that filters invalidations by kind.</summary>
public static class SharedCacheExtensions
{
    /// <summary>Calls <paramref name="drop"/> with each scope of <paramref name="kind"/> invalidated anywhere in the cluster (nothing when there is no shared cache).</summary>
    public static void FollowInvalidations(this ISharedCache? cache, SharedCacheKind kind, Action<string> drop)
    {
        if (cache is null)
        {
            return;
        }

        cache.Invalidated += (invalidated, scope) =>
        {
            if (invalidated == kind)
            {
                drop(scope);
            }
        };
    }
}
