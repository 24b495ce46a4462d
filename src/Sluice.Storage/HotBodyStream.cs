namespace Sluice.Storage;

/// <summary>A read-only, seekable stream over a cached body's blocks; disposing it lets the cache free them.</summary>
internal sealed class HotBodyStream(HotBodyCache.Entry entry, HotBodyCache cache) : Stream
{
    private long _position;
    private bool _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => entry.Length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, entry.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (!buffer.IsEmpty && _position < entry.Length)
        {
            const int blockSize = Core.Messages.MessageBuffer.BlockSize;
            var index = (int)(_position / blockSize);
            var offsetInBlock = (int)(_position % blockSize);
            var used = index == entry.Blocks.Count - 1 ? entry.LastBlockUsed : blockSize;
            var n = Math.Min(buffer.Length, used - offsetInBlock);
            entry.Blocks[index].AsSpan(offsetInBlock, n).CopyTo(buffer);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => entry.Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
