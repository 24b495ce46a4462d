namespace Sluice.Core.State;

/// <summary>The suppression list's storage (SQLite on one node, PostgreSQL in a cluster).</summary>
public interface ISuppressionStore
{
    /// <summary>Adds or replaces (same address and scope).</summary>
    Task UpsertAsync(IReadOnlyCollection<Suppression> suppressions, CancellationToken cancellationToken);

    Task<bool> RemoveSuppressionAsync(string address, string? scope, CancellationToken cancellationToken);

    /// <summary>Entries in address order after <paramref name="after"/> (exclusive), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Suppression>> ListSuppressionsAsync(string? after, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<Suppression>> FindSuppressionsAsync(string address, CancellationToken cancellationToken);
}
