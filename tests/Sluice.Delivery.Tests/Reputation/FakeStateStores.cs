using Sluice.Core.State;

namespace Sluice.Delivery.Tests.Reputation;

/// <summary>In-memory suppression store and soft-bounce ledger for reputation tests (the SQLite ones have their own tests).</summary>
internal sealed class FakeStateStores : ISuppressionStore, ISoftBounceLedger
{
    public List<Suppression> Suppressions { get; } = [];

    public List<(string Address, DateTimeOffset At)> SoftBounces { get; } = [];

    public Task UpsertAsync(IReadOnlyCollection<Suppression> suppressions, CancellationToken cancellationToken)
    {
        Suppressions.AddRange(suppressions);
        return Task.CompletedTask;
    }

    public Task<bool> RemoveSuppressionAsync(string address, string? scope, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<IReadOnlyList<Suppression>> ListSuppressionsAsync(string? after, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Suppression>>(Suppressions);

    public Task<IReadOnlyList<Suppression>> FindSuppressionsAsync(string address, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Suppression>>(Suppressions.FindAll(s => s.Address == address));

    public Task<int> RecordSoftBounceAsync(string address, DateTimeOffset at, DateTimeOffset since, CancellationToken cancellationToken)
    {
        SoftBounces.RemoveAll(b => b.At < since);
        SoftBounces.Add((address, at));
        return Task.FromResult(SoftBounces.Count(b => b.Address == address));
    }

    public Task ClearSoftBouncesAsync(string address, CancellationToken cancellationToken)
    {
        SoftBounces.RemoveAll(b => b.Address == address);
        return Task.CompletedTask;
    }
}
