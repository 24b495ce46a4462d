namespace Sluice.Smtp;

/// <summary>
/// Watches message content for bare CR or LF (RFC 5321 §2.3.8) and for text lines over the
/// limit (§4.5.3.1.6), streaming, so the verdict does not depend on how reads were split.
/// </summary>
public struct LineChecker
{
    private readonly int _maxLineLength;
    private int _lineLength;
    private bool _afterCr;

    /// <param name="maxLineLength">Limit including CRLF; 0 disables the length check.</param>
    public LineChecker(int maxLineLength) => _maxLineLength = maxLineLength;

    public bool SawBareLineEnding { get; private set; }

    public bool SawLongLine { get; private set; }

    public void Observe(ReadOnlySpan<byte> content)
    {
        var i = 0;
        while (i < content.Length)
        {
            if (_afterCr)
            {
                _afterCr = false;
                if (content[i] == (byte)'\n')
                {
                    _lineLength = 0;
                    i++;
                    continue;
                }

                SawBareLineEnding = true;
            }

            var rest = content[i..];
            var stop = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var run = stop < 0 ? rest.Length : stop;
            _lineLength += run;
            i += run;
            if (_maxLineLength > 0 && _lineLength + 2 > _maxLineLength)
            {
                SawLongLine = true;
            }

            if (stop < 0)
            {
                break;
            }

            if (content[i] == (byte)'\n')
            {
                SawBareLineEnding = true;
                _lineLength = 0;
            }
            else
            {
                _afterCr = true;
            }

            i++;
        }
    }

    /// <summary>Call at the end of the content: a trailing lone CR is bare too.</summary>
    public void Complete()
    {
        if (_afterCr)
        {
            SawBareLineEnding = true;
            _afterCr = false;
        }
    }
}
