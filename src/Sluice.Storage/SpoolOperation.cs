namespace Sluice.Storage;

/// <summary>One write the spool's writer thread applies inside a group-commit transaction.</summary>
internal abstract class SpoolOperation
{
    /// <summary>Body bytes this operation adds, for cutting batches by size.</summary>
    public virtual long Bytes => 0;

    /// <summary>Applies the write. Runs on the writer thread inside the batch's transaction.</summary>
    public abstract void Execute(SpoolStatements statements, long nowMs, BodySegments bodies);

    /// <summary>Forgets what a failed attempt learned, before the operation is tried in a new transaction.</summary>
    public virtual void Reset()
    {
    }

    /// <summary>Called after the batch is durable.</summary>
    public abstract void Commit();

    /// <summary>Called when the batch could not be made durable; nothing of it is visible.</summary>
    public abstract void Fail(Sluice.Core.Queue.EnqueueResult reason);
}
