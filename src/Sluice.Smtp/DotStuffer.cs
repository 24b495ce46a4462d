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
        // Line by line rather than byte by byte: a vectorised search for the next LF and one block
        // copy per line keep this near memcpy speed (it runs over every byte of every message sent
        // with DATA). Only CRLF starts a new line; a bare LF does not (RFC 5321 §2.3.8).
        var w = 0;
        while (!input.IsEmpty)
        {
            if (!_midLine && input[0] == (byte)'.')
            {
                destination[w++] = (byte)'.';
            }

            var lf = input.IndexOf((byte)'\n');
            if (lf < 0)
            {
                input.CopyTo(destination[w..]);
                w += input.Length;
                _afterCr = input[^1] == (byte)'\r';
                _midLine = true;
                break;
            }

            input[..(lf + 1)].CopyTo(destination[w..]);
            w += lf + 1;
            _midLine = !(lf > 0 ? input[lf - 1] == (byte)'\r' : _afterCr);
            _afterCr = false;
            input = input[(lf + 1)..];
        }

        _started |= w > 0;
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
