using System.Buffers;
using System.Text;

namespace Sluice.Core.Messages;

/// <summary>
/// Reads one header field of a message in a buffer without parsing the message: the first
/// <see cref="Window"/> bytes are scanned line by line up to the blank line that ends the header
/// (RFC 5322 §2.1). Used at intake for the message index (the Subject), so it costs one copy of the
/// header block and no MIME parser.
/// </summary>
public static class HeaderField
{
    /// <summary>How much of the message is looked at; a field further in is not found.</summary>
    public const int Window = 16 * 1024;

    /// <summary>Longest value kept (RFC 5322 §2.1.1 lines are at most 998 characters; a folded field may be longer).</summary>
    public const int MaxValue = 2048;

    /// <summary>The unfolded value of the first field called <paramref name="name"/> (ASCII, any case), trimmed; null when absent.</summary>
    public static string? Read(MessageBuffer buffer, ReadOnlySpan<byte> name)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var rented = ArrayPool<byte>.Shared.Rent(Window);
        try
        {
            buffer.Flush();
            var length = buffer.ReadAt(0, rented.AsSpan(0, (int)Math.Min(Window, buffer.Length)));
            return Find(rented.AsSpan(0, length), name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The same over bytes in hand.</summary>
    public static string? Find(ReadOnlySpan<byte> header, ReadOnlySpan<byte> name)
    {
        var position = 0;
        while (position < header.Length)
        {
            var line = header[position..];
            var end = line.IndexOf((byte)'\n');
            var lineLength = end < 0 ? line.Length : end;
            if (lineLength == 0 || (lineLength == 1 && line[0] == '\r'))
            {
                return null; // The blank line: the body starts here.
            }

            if (lineLength > name.Length && line[name.Length] == ':' && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                return Unfold(header[(position + name.Length + 1)..]);
            }

            if (end < 0)
            {
                return null;
            }

            position += end + 1;
        }

        return null;
    }

    /// <summary>RFC 5322 §2.2.3: a CRLF followed by white space is folding; the value ends at a CRLF that is not.</summary>
    private static string Unfold(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder();
        while (true)
        {
            var end = value.IndexOf((byte)'\n');
            var line = end < 0 ? value : value[..end];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            builder.Append(Encoding.UTF8.GetString(line));
            if (end < 0 || end + 1 >= value.Length || (value[end + 1] != ' ' && value[end + 1] != '\t') || builder.Length > MaxValue)
            {
                break;
            }

            value = value[(end + 1)..];
        }

        var text = builder.ToString().Trim();
        return text.Length > MaxValue ? text[..MaxValue] : text;
    }
}
