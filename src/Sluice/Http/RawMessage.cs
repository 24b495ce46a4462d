using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using MimeKit;
using Sluice.Core.Intake;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// A message the API receives whole (<c>Content-Type: message/rfc822</c>): parsed with MimeKit only
/// to validate it (persistently: part contents stay in the spooled body, not in memory), then
/// queued byte for byte as it came, after the trace line (and a Message-ID when it had none). Only
/// line ends are touched, and only when they are not CRLF: SMTP carries CRLF lines (RFC 5321 §2.3.8).
/// </summary>
internal sealed class RawMessage : IMessageContent
{
    private const int ChunkSize = 64 * 1024;
    private readonly SpooledBody _body;
    private readonly string? _messageId;

    private RawMessage(SpooledBody body, string? messageId)
    {
        _body = body;
        _messageId = messageId;
    }

    public long SizeHint => _body.Length + 128;

    /// <summary>The message, or null when the body is not a MIME message.</summary>
    /// <param name="messageId">Given to the message (as <c>&lt;id@host&gt;</c>) when it has no Message-ID.</param>
    public static RawMessage? TryParse(SpooledBody body, string messageId)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var stream = body.OpenRead();
        try
        {
            var parser = new MimeParser(stream, MimeFormat.Entity, persistent: true);
            using var message = parser.ParseMessage();
            return new RawMessage(body, string.IsNullOrEmpty(message.MessageId) ? messageId : null);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_messageId is not null)
        {
            Span<byte> line = stackalloc byte[512];
            if (Utf8.TryWrite(line, CultureInfo.InvariantCulture, $"Message-ID: <{_messageId}>\r\n", out var n))
            {
                destination.Write(line[..n]);
            }
        }

        var input = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var output = ArrayPool<byte>.Shared.Rent((ChunkSize * 2) + 2);
        try
        {
            var crlf = new CrlfWriter();
            long position = 0;
            int read;
            while ((read = _body.Buffer.ReadAt(position, input.AsSpan(0, ChunkSize))) > 0)
            {
                position += read;
                destination.Write(output, 0, crlf.Convert(input.AsSpan(0, read), output));
            }

            destination.Write(output, 0, crlf.Finish(output));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }

        return ValueTask.CompletedTask;
    }
}
