using MimeKit;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// MIME intake for messages the API receives whole (<c>Content-Type: message/rfc822</c>): parsed
/// with MimeKit, given a Message-ID when it has none, and written back as the bytes that are queued.
/// </summary>
internal static class RawMime
{
    /// <summary>The message, or null when the input is not a MIME message.</summary>
    public static MimeMessage? Parse(Stream input, MessageId id, string hostname)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(input);
        }
        catch (FormatException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(message.MessageId))
        {
            message.MessageId = $"{id.Value}@{hostname}";
        }

        return message;
    }

    /// <summary>The bytes that are queued: CRLF line ends, as SMTP requires (RFC 5321 §2.3.8).</summary>
    public static Task WriteAsync(MimeMessage message, Stream output, CancellationToken cancellationToken)
        => message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output, cancellationToken);
}
