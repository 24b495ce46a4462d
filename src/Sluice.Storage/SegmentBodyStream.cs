using Microsoft.Win32.SafeHandles;
using Sluice.Core.Messages;

namespace Sluice.Storage;

/// <summary>One body inside a segment file (pread at its offset); owns the file handle.</summary>
internal sealed class SegmentBodyStream(SafeFileHandle file, long start, long length) : ReadOnlyBodyStream(length)
{
    protected override int ReadAt(long position, Span<byte> destination) => RandomAccess.Read(file, destination, start + position);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }
}
