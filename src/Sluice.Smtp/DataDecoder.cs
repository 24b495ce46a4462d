namespace Sluice.Smtp;

/// <summary>
/// Streaming decoder for the DATA body (RFC 5321 §4.5.2): removes the leading dot of
/// dot-stuffed lines and stops at <c>CRLF.CRLF</c>. Only that exact sequence ends the body,
/// so <c>LF.LF</c> or <c>CR.CR</c> cannot smuggle a second message past us. State is kept
/// between calls, so a body split anywhere across reads decodes to the same bytes.
/// The body's own final CRLF belongs to the message and is emitted.
/// </summary>
public struct DataDecoder
{
    private State _state;

    public DataDecoder() => _state = State.LineStart;

    private enum State : byte
    {
        MidLine,
        AfterCr,
        LineStart,
        LineStartDot,
        LineStartDotCr,
    }

    /// <summary>Room the destination needs for an input of <paramref name="inputLength"/> bytes.</summary>
    public static int MaxOutput(int inputLength) => inputLength + 1;

    public DataDecodeStatus Decode(ReadOnlySpan<byte> input, Span<byte> destination, out int consumed, out int written)
    {
        var i = 0;
        var w = 0;
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.MidLine:
                {
                    // Copy up to the next CR in one block; only CR can start a line end.
                    var rest = input[i..];
                    var cr = rest.IndexOf((byte)'\r');
                    var run = cr < 0 ? rest.Length : cr + 1;
                    rest[..run].CopyTo(destination[w..]);
                    w += run;
                    i += run;
                    if (cr >= 0)
                    {
                        _state = State.AfterCr;
                    }

                    break;
                }

                case State.AfterCr:
                {
                    var b = input[i++];
                    destination[w++] = b;
                    _state = b switch
                    {
                        (byte)'\n' => State.LineStart,
                        (byte)'\r' => State.AfterCr,
                        _ => State.MidLine,
                    };
                    break;
                }

                case State.LineStart:
                {
                    var b = input[i];
                    if (b == (byte)'.')
                    {
                        i++;
                        _state = State.LineStartDot;
                    }
                    else
                    {
                        _state = State.MidLine;
                    }

                    break;
                }

                case State.LineStartDot:
                {
                    if (input[i] == (byte)'\r')
                    {
                        i++;
                        _state = State.LineStartDotCr;
                    }
                    else
                    {
                        // A stuffed dot: dropped; the rest of the line is ordinary text.
                        _state = State.MidLine;
                    }

                    break;
                }

                case State.LineStartDotCr:
                {
                    if (input[i] == (byte)'\n')
                    {
                        consumed = i + 1;
                        written = w;
                        _state = State.LineStart;
                        return DataDecodeStatus.Complete;
                    }

                    // ".<CR>x": the dot was stuffing, the CR is content (a bare one, which the line checker reports).
                    destination[w++] = (byte)'\r';
                    _state = State.AfterCr;
                    break;
                }
            }
        }

        consumed = i;
        written = w;
        return DataDecodeStatus.NeedMore;
    }
}
