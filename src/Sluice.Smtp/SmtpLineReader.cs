using System.Buffers;

namespace Sluice.Smtp;

/// <summary>
/// Frames command lines. Only CRLF ends a line (RFC 5321 §2.3.8): a bare LF, or a CR not
/// followed by LF, is reported so the session can refuse it instead of guessing, which is
/// how command smuggling between differently-lenient servers starts.
/// </summary>
public static class SmtpLineReader
{
    /// <param name="maxLength">Limit including the CRLF (RFC 5321 §4.5.3.1.4 counts it).</param>
    public static LineStatus TryReadLine(ref SequenceReader<byte> reader, int maxLength, out ReadOnlySequence<byte> line)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, (byte)'\n', advancePastDelimiter: true))
        {
            line = default;
            return reader.Remaining >= maxLength ? LineStatus.TooLong : LineStatus.NeedMore;
        }

        if (raw.Length + 1 > maxLength)
        {
            line = default;
            return LineStatus.TooLong;
        }

        if (raw.IsEmpty || !EndsWithCr(raw))
        {
            line = raw;
            return LineStatus.BareLineEnding;
        }

        line = raw.Slice(0, raw.Length - 1);
        if (line.PositionOf((byte)'\r') is not null)
        {
            return LineStatus.BareLineEnding;
        }

        return LineStatus.Complete;
    }

    /// <summary>Skips to just past the next LF, for discarding the rest of an over-long line.</summary>
    public static bool TrySkipPastLineEnd(ref SequenceReader<byte> reader)
    {
        if (reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: true))
        {
            return true;
        }

        reader.AdvanceToEnd();
        return false;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> raw)
    {
        var last = raw.Slice(raw.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
