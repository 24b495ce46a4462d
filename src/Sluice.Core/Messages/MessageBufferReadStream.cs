namespace Sluice.Core.Messages;

/// <summary>
/// A read-only, seekable stream over a finished <see cref="MessageBuffer"/> (its own position, so
/// several may read one buffer at once): how the API parses a request body it spooled.
/// </summary>
public sealed class MessageBufferReadStream : Stream
{
    private readonly MessageBuffer _buffer;
    private readonly long _start;
    private readonly long _end;
    private long _position;

    /// <summary>Reads bytes [<paramref name="start"/>, <paramref name="end"/>) of the buffer (end -1: to its end).</summary>
    public MessageBufferReadStream(MessageBuffer buffer, long start = 0, long end = -1)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _buffer = buffer;
        _start = start;
        _end = end < 0 ? buffer.Length : end;
        _position = start;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _end - _start;

    public override long Position
    {
        get => _position - _start;
        set => _position = _start + Math.Clamp(value, 0, Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var room = (int)Math.Min(buffer.Length, _end - _position);
        var total = 0;
        while (total < room)
        {
            var n = _buffer.ReadAt(_position, buffer[total..room]);
            if (n == 0)
            {
                break;
            }

            _position += n;
            total += n;
        }

        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };
        return Position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
