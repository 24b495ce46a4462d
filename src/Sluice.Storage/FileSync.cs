using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Storage;

/// <summary>The two syncs segment files need that .NET does not offer: a folder's, and a file's data only.</summary>
internal static partial class FileSync
{
    private const int ReadOnly = 0;

    /// <summary>
    /// fsync(2) of a folder: a new file's name is durable only once its folder is synced (POSIX;
    /// SQLite does the same after creating its WAL).
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the folder '{directory}' to sync it.", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot sync the folder '{directory}'.", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>
    /// fdatasync(2) of a file: its data and the metadata needed to read it back (the size), but not
    /// its timestamps. FileStream.Flush(true) is fsync, which also writes the mtime every append
    /// changed, one more journal commit per batch.
    /// </summary>
    public static void FlushData(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        if (Fdatasync(file) != 0)
        {
            throw new IOException("Cannot sync a segment file.", Marshal.GetLastPInvokeError());
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
