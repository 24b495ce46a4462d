using System.Buffers;
using System.Text;
using MimeKit;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// MIME intake for messages the API receives whole (<c>Content-Type: message/rfc822</c>): parsed
/// with MimeKit to validate them, then queued byte for byte as they came, after a trace line (and a
/// Message-ID when they had none). Only line ends are touched, and only when they are not CRLF:
/// SMTP carries CRLF lines (RFC 5321 §2.3.8).
/// </summary>
internal static class RawMime
{
    /// <summary>The message, or null when the input is not a MIME message.</summary>
    public static MimeMessage? Parse(Stream input)
    {
        try
        {
            return MimeMessage.Load(input);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The bytes to queue: <paramref name="received"/> as the first header, a Message-ID built from
    /// <paramref name="id"/> when <paramref name="parsed"/> has none, then <paramref name="original"/>
    /// (CRLF line ends, ending in CRLF).
    /// </summary>
    public static byte[] Queued(ReadOnlySpan<byte> original, MimeMessage parsed, MessageId id, string hostname, string received)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var output = new ArrayBufferWriter<byte>(original.Length + 512);
        Append(output, "Received: " + received + "\r\n");
        if (string.IsNullOrEmpty(parsed.MessageId))
        {
            Append(output, $"Message-ID: <{id.Value}@{hostname}>\r\n");
        }

        if (IsCrlfOnly(original))
        {
            output.Write(original);
        }
        else
        {
            WriteCrlf(output, original);
        }

        // The last line ends too, so that the DATA terminator follows a line end of the message's own.
        if (!output.WrittenSpan.EndsWith("\r\n"u8))
        {
            output.Write("\r\n"u8);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Messages the API builds itself go out with CRLF line ends, as SMTP requires.</summary>
    public static Task WriteAsync(MimeMessage message, Stream output, CancellationToken cancellationToken)
        => message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output, cancellationToken);

    private static bool IsCrlfOnly(ReadOnlySpan<byte> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\n' && (i == 0 || text[i - 1] != (byte)'\r'))
            {
                return false;
            }

            if (text[i] == (byte)'\r' && (i + 1 == text.Length || text[i + 1] != (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every line end (CRLF, LF or CR) written as CRLF.</summary>
    private static void WriteCrlf(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ((byte)'\r' or (byte)'\n'))
            {
                continue;
            }

            output.Write(text[start..i]);
            output.Write("\r\n"u8);
            if (text[i] == (byte)'\r' && i + 1 < text.Length && text[i + 1] == (byte)'\n')
            {
                i++;
            }

            start = i + 1;
        }

        output.Write(text[start..]);
    }

    private static void Append(ArrayBufferWriter<byte> output, string ascii)
    {
        var bytes = Encoding.UTF8.GetBytes(ascii);
        output.Write(bytes);
    }
}
