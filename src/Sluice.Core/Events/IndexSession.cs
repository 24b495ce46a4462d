namespace Sluice.Core.Events;

/// <summary>The index writer's connection to its database: finds what a batch needs to know and writes the batch in one transaction.</summary>
public abstract class IndexSession : IDisposable
{
    /// <summary>The sending domain and tags of an indexed message, or null when it is not (yet) indexed.</summary>
    public abstract (string Domain, string Tags)? Find(string messageId);

    /// <summary>Writes the batch in one transaction; returns the sequence number of its last event (0 when it had none).</summary>
    public abstract long Commit(IndexBatch batch);

    /// <summary>Deletes events and messages (with their recipients) received before <paramref name="oldest"/>, statistics before <paramref name="statsOldest"/>, a chunk at a time.</summary>
    public abstract (long Events, long Messages) Prune(DateTimeOffset oldest, DateTimeOffset statsOldest);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
