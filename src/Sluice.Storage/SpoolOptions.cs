namespace Sluice.Storage;

/// <summary>Embedded spool settings (host settings, fixed at start).</summary>
public sealed class SpoolOptions
{
    /// <summary>Folder that holds <c>spool.db</c> and its WAL.</summary>
    public string Directory { get; set; } = "./data";

    /// <summary>Most operations committed in one transaction (one fsync).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Most body bytes committed in one transaction before the batch is cut.</summary>
    public long MaxBatchBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Memory for bodies of freshly queued messages, kept after the commit so that delivering them
    /// does not read them back from the spool file (0 turns it off). Bodies leave when delivered,
    /// deferred or dead-lettered, or oldest first when the budget is full.
    /// </summary>
    public long HotCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Bodies at least this long are appended to segment files beside the database instead of being
    /// written into it (ADR 0013): one write and one sync per batch instead of WAL frames, a
    /// checkpoint copy and a freed overflow chain. 0 keeps every body in the database.
    /// </summary>
    public long LargeBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Size after which a segment file is sealed and the next one begun.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Free space the spool's filesystem keeps (Postfix's <c>queue_minfree</c>): a message that would
    /// leave less (its declared SIZE counted) is refused at MAIL with 452 4.3.1, and the API answers
    /// 503; delivery and acknowledgements go on. 0 refuses only when the disk is actually full.
    /// </summary>
    public long MinFreeBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// A file of this size kept in the spool folder and given up when the disk fills anyway (another
    /// process filled it): the space the spool's own bookkeeping (acks, leases, deletes, a restart's
    /// recovery) needs to go on. Made again once space returns. 0: no reserve.
    /// </summary>
    public long ReserveBytes { get; set; } = 16L * 1024 * 1024;
}
