namespace Sluice.Http;

/// <summary>
/// Rewrites every line end (CRLF, bare LF, bare CR) as CRLF, chunk by chunk (a CR at the end of one
/// chunk may be followed by the LF of the next), and ends the text with CRLF so that the DATA
/// terminator follows a line end of the message's own. CRLF text passes through unchanged.
/// </summary>
internal struct CrlfWriter
{
    private bool _pendingCr;
    private bool _endsWithLineEnd;

    /// <summary>Writes <paramref name="input"/> converted into <paramref name="output"/> (at least twice its length and 2); returns the bytes written.</summary>
    public int Convert(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        while (!input.IsEmpty)
        {
            if (_pendingCr)
            {
                // A held CR becomes CRLF whatever follows; a following LF is its own.
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                _pendingCr = false;
                _endsWithLineEnd = true;
                if (input[0] == (byte)'\n')
                {
                    input = input[1..];
                    continue;
                }
            }

            var stop = input.IndexOfAny((byte)'\r', (byte)'\n');
            var run = stop < 0 ? input : input[..stop];
            run.CopyTo(output[written..]);
            written += run.Length;
            if (!run.IsEmpty)
            {
                _endsWithLineEnd = false;
            }

            if (stop < 0)
            {
                break;
            }

            if (input[stop] == (byte)'\n')
            {
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                _endsWithLineEnd = true;
            }
            else
            {
                _pendingCr = true;
            }

            input = input[(stop + 1)..];
        }

        return written;
    }

    /// <summary>What is left at the end: a held CR, or the CRLF of an unterminated last line.</summary>
    public int Finish(Span<byte> output)
    {
        if (_pendingCr || !_endsWithLineEnd)
        {
            _pendingCr = false;
            _endsWithLineEnd = true;
            output[0] = (byte)'\r';
            output[1] = (byte)'\n';
            return 2;
        }

        return 0;
    }
}
