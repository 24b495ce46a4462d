using System.Buffers;
using System.Buffers.Text;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// An attachment's bytes, decoded as they are read from the base64 JSON string in a spooled
/// request: JSON escapes undone (<c>\/</c>, <c>\u00XX</c>; escaped line breaks skipped as base64
/// allows), then base64 decoded in 4 KiB steps. <see cref="TryMeasure"/> reads it once to check it
/// and learn its length before the message is written; it can then be read again from the start.
/// </summary>
internal sealed class AttachmentContentStream : Stream
{
    private const int Step = 4096;
    private readonly MessageBuffer _source;
    private readonly long _start;
    private readonly long _end;
    private readonly byte[] _raw = new byte[Step];
    private readonly byte[] _base64 = new byte[Step + 4];
    private readonly byte[] _decoded = new byte[(Step + 4) / 4 * 3];
    private readonly Action<long>? _onMeasured;
    private long _read;
    private int _rawOffset;
    private int _rawLength;
    private int _base64Length;
    private int _decodedOffset;
    private int _decodedLength;
    private int _escape;
    private int _unicode;
    private bool _done;
    private long _position;
    private long? _length;

    /// <param name="measured">The decoded length when an earlier stream over the same bytes measured it valid.</param>
    /// <param name="onMeasured">Told the decoded length when this stream measures its content valid.</param>
    public AttachmentContentStream(MessageBuffer source, long start, long end, long? measured = null, Action<long>? onMeasured = null)
    {
        _source = source;
        _start = start;
        _end = end;
        _length = measured;
        _onMeasured = onMeasured;
        Rewind();
    }

    /// <summary>The content is not base64 (or not a valid JSON string).</summary>
    public bool Invalid { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length ?? throw new NotSupportedException("Measure the content first.");

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <summary>Reads the whole content once (unless already measured): false when it is not valid base64; otherwise its decoded length.</summary>
    public bool TryMeasure(out long length)
    {
        if (_length is { } known)
        {
            length = known;
            return true;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(Step);
        try
        {
            while (Read(scratch, 0, Step) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        length = _position;
        _length = Invalid ? null : _position;
        Rewind();
        if (_length is { } valid)
        {
            _onMeasured?.Invoke(valid);
        }

        return _length is not null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_decodedOffset < _decodedLength)
            {
                var n = Math.Min(buffer.Length - written, _decodedLength - _decodedOffset);
                _decoded.AsSpan(_decodedOffset, n).CopyTo(buffer[written..]);
                _decodedOffset += n;
                written += n;
                continue;
            }

            if (_done || !DecodeStep())
            {
                break;
            }
        }

        _position += written;
        return written;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Only back to the start (what MimeKit does before writing a part).</summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        if (offset != 0 || origin != SeekOrigin.Begin)
        {
            throw new NotSupportedException("An attachment's content can only be read again from the start.");
        }

        Rewind();
        return 0;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Rewind()
    {
        _read = _start;
        _rawOffset = _rawLength = _base64Length = _decodedOffset = _decodedLength = _escape = _unicode = 0;
        _done = false;
        _position = 0;
        Invalid = false;
    }

    /// <summary>Gathers up to a step of base64 characters and decodes them; false when nothing more came out.</summary>
    private bool DecodeStep()
    {
        var sourceDone = false;
        while (_base64Length < Step)
        {
            if (_rawOffset == _rawLength)
            {
                _rawLength = _read < _end ? _source.ReadAt(_read, _raw.AsSpan(0, (int)Math.Min(Step, _end - _read))) : 0;
                _rawOffset = 0;
                _read += _rawLength;
                if (_rawLength == 0)
                {
                    sourceDone = true;
                    break;
                }
            }

            Unescape(_raw[_rawOffset++]);
            if (Invalid)
            {
                _done = true;
                return false;
            }
        }

        var status = Base64.DecodeFromUtf8(_base64.AsSpan(0, _base64Length), _decoded, out var consumed, out var written, isFinalBlock: sourceDone);
        if (status == OperationStatus.InvalidData || (sourceDone && status != OperationStatus.Done))
        {
            Invalid = true;
            _done = true;
            return false;
        }

        // A partial group of up to 3 characters waits for the next step.
        _base64.AsSpan(consumed, _base64Length - consumed).CopyTo(_base64);
        _base64Length -= consumed;
        _decodedOffset = 0;
        _decodedLength = written;
        _done = sourceDone;
        return written > 0;
    }

    /// <summary>One byte of the JSON string: RFC 8259 §7 escapes undone, white space dropped.</summary>
    private void Unescape(byte c)
    {
        switch (_escape)
        {
            case 0 when c == (byte)'\\':
                _escape = 1;
                return;
            case 0:
                Take(c, escaped: false);
                return;
            case 1:
                _escape = 0;
                switch (c)
                {
                    case (byte)'u':
                        _escape = 2;
                        _unicode = 0;
                        return;
                    case (byte)'n' or (byte)'r' or (byte)'t':
                        return;
                    case (byte)'/':
                        Take(c, escaped: true);
                        return;
                    default:
                        Invalid = true;
                        return;
                }

            default:
                var digit = HexDigit(c);
                if (digit < 0)
                {
                    Invalid = true;
                    return;
                }

                _unicode = (_unicode << 4) | digit;
                if (++_escape == 6)
                {
                    _escape = 0;
                    if (_unicode >= 0x80)
                    {
                        Invalid = true;
                        return;
                    }

                    Take((byte)_unicode, escaped: true);
                }

                return;
        }
    }

    private void Take(byte c, bool escaped)
    {
        if (c is (byte)' ' || (escaped && c is (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return;
        }

        if (c < 0x20)
        {
            // A raw control character is not allowed in a JSON string (RFC 8259 §7).
            Invalid = true;
            return;
        }

        _base64[_base64Length++] = c;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
