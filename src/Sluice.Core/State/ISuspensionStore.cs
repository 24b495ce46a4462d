namespace Sluice.Core.State;

/// <summary>
/// Destination suspensions shared by a cluster's nodes (PostgreSQL, ADR 0032): a suspension made
/// through any node holds that destination's mail on every node; each change is announced
/// (<see cref="StateChangeKind.Suspension"/>). A single node keeps its suspensions in its own file
/// (the embedded state store implements this too, for the contract tests, but a node does not use it).
/// </summary>
public interface ISuspensionStore
{
    Task SuspendAsync(string destination, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>False when the destination was not suspended.</summary>
    Task<bool> ResumeAsync(string destination, CancellationToken cancellationToken);

    /// <summary>Suspensions in force (not yet ended) at <paramref name="now"/>.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
