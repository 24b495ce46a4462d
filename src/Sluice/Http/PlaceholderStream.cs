namespace Sluice.Http;

/// <summary>The spooled JSON with each span's bytes replaced by its placeholder.</summary>
internal sealed class PlaceholderStream(Stream source, List<(long Start, long End)> spans) : Stream
{
    private long _position;
    private int _span;
    private byte[]? _pending;
    private int _pendingOffset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_pending is { } pending)
        {
            var n = Math.Min(buffer.Length, pending.Length - _pendingOffset);
            pending.AsSpan(_pendingOffset, n).CopyTo(buffer);
            _pendingOffset += n;
            if (_pendingOffset == pending.Length)
            {
                _pending = null;
            }

            return n;
        }

        if (_span < spans.Count && _position == spans[_span].Start)
        {
            // Skip the content; its placeholder is read next.
            _position = spans[_span].End;
            source.Position = _position;
            _pending = JsonAttachments.Placeholder(_span);
            _pendingOffset = 0;
            _span++;
            return Read(buffer);
        }

        var limit = _span < spans.Count ? (int)Math.Min(buffer.Length, spans[_span].Start - _position) : buffer.Length;
        var read = source.Read(buffer[..limit]);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            source.Dispose();
        }

        base.Dispose(disposing);
    }
}
