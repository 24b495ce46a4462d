namespace Sluice;

/// <summary>
/// What the node's data directory takes and what its filesystem has left, for the disk gauges
/// (read at each scrape: a statvfs and a walk of a directory of few, large files).
/// </summary>
internal sealed class DataDirectoryUsage(string directory)
{
    /// <summary>Bytes free on the filesystem of the data directory for an unprivileged writer.</summary>
    public long Free => Drive().AvailableFreeSpace;

    /// <summary>Size of that filesystem.</summary>
    public long Total => Drive().TotalSize;

    /// <summary>Bytes of the files under the data directory: spool, bodies, state and event logs.</summary>
    public long Used
    {
        get
        {
            long total = 0;
            try
            {
                foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
                {
                    total += file.Length;
                }
            }
            catch (IOException)
            {
                // A file removed while walking (a segment retired): the next scrape counts again.
            }

            return total;
        }
    }

    // On Linux a DriveInfo is any path: its space is statvfs of that path.
    private DriveInfo Drive() => new(directory);
}
