namespace Sluice.Smtp;

/// <summary>
/// Streaming encoder for DATA (RFC 5321 §4.5.2): doubles a dot at the start of every line and,
/// at the end, makes sure the content ends with CRLF before writing the <c>.CRLF</c> terminator.
/// The inverse of <see cref="DataDecoder"/>; state carries across calls.
/// </summary>
public struct DotStuffer
{
    private bool _midLine;
    private bool _afterCr;
    private bool _started;

    /// <summary>Room the destination needs for an input of <paramref name="inputLength"/> bytes (worst case: every byte a line-starting dot).</summary>
    public static int MaxOutput(int inputLength) => (inputLength * 2) + 5;

    public int Encode(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        var w = 0;
        foreach (var b in input)
        {
            if (!_midLine && b == (byte)'.')
            {
                destination[w++] = (byte)'.';
            }

            destination[w++] = b;
            _started = true;
            _midLine = !(b == (byte)'\n' && _afterCr);
            _afterCr = b == (byte)'\r';
        }

        return w;
    }

    /// <summary>Writes the end: CRLF if the content did not end with one, then <c>.CRLF</c>.</summary>
    public int Complete(Span<byte> destination)
    {
        var w = 0;
        if (_started && _midLine)
        {
            destination[w++] = (byte)'\r';
            destination[w++] = (byte)'\n';
        }

        destination[w++] = (byte)'.';
        destination[w++] = (byte)'\r';
        destination[w++] = (byte)'\n';
        return w;
    }
}
