namespace Sluice.Core.State;

/// <summary>
/// Sender pauses shared by a cluster's nodes (PostgreSQL, ADR 0032): a pause made on any node — by
/// a brake or an operator — holds that sender's mail on every node, and a resume anywhere releases
/// it everywhere; each change is announced (<see cref="StateChangeKind.SenderPause"/>). A single
/// node keeps its pauses in its own file (the embedded store implements this for the contract tests).
/// </summary>
public interface ISenderPauseStore
{
    /// <summary>Stores the pause (or moves its end); writing the same end again changes and announces nothing.</summary>
    Task PauseAsync(SharedSenderPause pause, CancellationToken cancellationToken);

    /// <summary>False when the sender was not paused.</summary>
    Task<bool> ResumeSenderAsync(string sender, CancellationToken cancellationToken);

    /// <summary>Pauses in force (not yet ended) at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<SharedSenderPause>> ListPausesAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
