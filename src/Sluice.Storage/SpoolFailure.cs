namespace Sluice.Storage;

/// <summary>Why spool writes failed, for the rate-limited failure log.</summary>
internal enum SpoolFailure
{
    /// <summary>The filesystem is full (SQLITE_FULL, ENOSPC).</summary>
    DiskFull,

    /// <summary>New messages refused before writing: free space is below the margin.</summary>
    NoRoom,

    /// <summary>SQLite failed otherwise.</summary>
    Database,

    /// <summary>Writing or syncing a body segment failed otherwise.</summary>
    Segment,
}
