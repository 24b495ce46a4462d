using Sluice.Core.Messages;

namespace Sluice.Storage;

/// <summary>A cached body's blocks as a stream; disposing it lets the cache free them.</summary>
internal sealed class HotBodyStream(HotBodyCache.Entry entry, HotBodyCache cache) : ReadOnlyBodyStream(entry.Length)
{
    private bool _disposed;

    protected override int ReadAt(long position, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (!destination.IsEmpty)
        {
            const int blockSize = Core.Messages.MessageBuffer.BlockSize;
            var index = (int)(position / blockSize);
            var offsetInBlock = (int)(position % blockSize);
            var used = index == entry.Blocks.Count - 1 ? entry.LastBlockUsed : blockSize;
            var n = Math.Min(destination.Length, used - offsetInBlock);
            entry.Blocks[index].AsSpan(offsetInBlock, n).CopyTo(destination);
            destination = destination[n..];
            position += n;
            total += n;
        }

        return total;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            cache.Release(entry);
        }

        base.Dispose(disposing);
    }
}
