using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sluice.Smtp;

/// <summary>
/// Reads one complete, possibly multi-line reply (RFC 5321 §4.2.1) from a buffer, or says it needs
/// more. The enhanced status code (RFC 2034) is taken from the last line when present.
/// </summary>
public static class SmtpReplyParser
{
    /// <summary>Replies longer than this are a protocol error (a peer that never ends its reply).</summary>
    public const int MaxReplyBytes = 64 * 1024;

    public static ReplyParseStatus TryParse(ref SequenceReader<byte> reader, out SmtpReply? reply, out IReadOnlyList<string> lines)
    {
        reply = null;
        lines = [];
        var consumedAtStart = reader.Consumed;
        var text = new List<string>();
        var code = -1;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, (byte)'\n', advancePastDelimiter: true))
            {
                reader.Rewind(reader.Consumed - consumedAtStart);
                return reader.Remaining > MaxReplyBytes ? ReplyParseStatus.Malformed : ReplyParseStatus.NeedMore;
            }

            var line = Encoding.UTF8.GetString(raw).TrimEnd('\r');
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode)
                || lineCode is < 200 or > 599 || (line.Length > 3 && line[3] is not (' ' or '-')) || (code >= 0 && lineCode != code))
            {
                return ReplyParseStatus.Malformed;
            }

            code = lineCode;
            text.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (line.Length == 3 || line[3] == ' ')
            {
                break;
            }
        }

        lines = text;
        reply = Build(code, text);
        return ReplyParseStatus.Complete;
    }

    private static SmtpReply Build(int code, List<string> text)
    {
        // Strip the enhanced code from every line; keep it from the last one (RFC 2034 §3).
        EnhancedStatusCode? status = null;
        var cleaned = new string[text.Count];
        for (var i = 0; i < text.Count; i++)
        {
            cleaned[i] = text[i];
            var space = text[i].IndexOf(' ', StringComparison.Ordinal);
            var first = space < 0 ? text[i] : text[i][..space];
            if (EnhancedStatusCode.TryParse(first, code, out var parsed))
            {
                status = parsed;
                cleaned[i] = space < 0 ? string.Empty : text[i][(space + 1)..];
            }
        }

        return new SmtpReply(code, status, string.Join('\n', cleaned));
    }
}
