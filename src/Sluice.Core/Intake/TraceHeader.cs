using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Unicode;
using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>
/// The one trace-header writer (RFC 5321 §4.4: every host that takes a message adds a Received line;
/// the API is a way in too). Written straight into the message buffer, formatted in place.
/// </summary>
public static class TraceHeader
{
    /// <param name="fromName">The HELO/EHLO name, or <c>api</c>.</param>
    /// <param name="protocol">The RFC 3848 "with" keyword: ESMTPSA, UTF8ESMTPS, … or HTTP.</param>
    /// <param name="forRecipient">Named in a "for" clause when the message has exactly one recipient.</param>
    public static void Write(MessageBuffer buffer, string fromName, IPAddress? client, string byHost, string protocol, MessageId id, string? forRecipient, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var utc = receivedAt.ToUniversalTime();
        var size = 256 + ((fromName.Length + byHost.Length + protocol.Length + id.Value.Length + (forRecipient?.Length ?? 0)) * 3);
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> span = rented;
            var fits = forRecipient is null
                ? Utf8.TryWrite(span, CultureInfo.InvariantCulture, $"Received: from {fromName} ([{client}])\r\n\tby {byHost} (Sluice) with {protocol} id {id.Value};\r\n\t{utc:ddd, dd MMM yyyy HH:mm:ss} +0000\r\n", out var written)
                : Utf8.TryWrite(span, CultureInfo.InvariantCulture, $"Received: from {fromName} ([{client}])\r\n\tby {byHost} (Sluice) with {protocol} id {id.Value}\r\n\tfor <{forRecipient}>;\r\n\t{utc:ddd, dd MMM yyyy HH:mm:ss} +0000\r\n", out written);
            if (!fits)
            {
                throw new InvalidOperationException("The trace header did not fit its buffer.");
            }

            buffer.Write(span[..written]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
