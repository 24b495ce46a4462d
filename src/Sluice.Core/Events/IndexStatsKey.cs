namespace Sluice.Core.Events;

/// <summary>One row of the statistics: an hour (Unix hours), a sending domain and a tag (<c>''</c> for the domain's total).</summary>
public readonly record struct IndexStatsKey(long Hour, string SenderDomain, string Tag)
{
    /// <summary>The databases compare sending domains without case: so does a batch, or one statement would meet the same row twice.</summary>
    public static readonly IEqualityComparer<IndexStatsKey> Comparer = new IgnoreCase();

    private sealed class IgnoreCase : IEqualityComparer<IndexStatsKey>
    {
        public bool Equals(IndexStatsKey x, IndexStatsKey y)
            => x.Hour == y.Hour && string.Equals(x.SenderDomain, y.SenderDomain, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Tag, y.Tag, StringComparison.Ordinal);

        public int GetHashCode(IndexStatsKey obj)
            => HashCode.Combine(obj.Hour, StringComparer.OrdinalIgnoreCase.GetHashCode(obj.SenderDomain), StringComparer.Ordinal.GetHashCode(obj.Tag));
    }
}
