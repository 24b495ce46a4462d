using MimeKit;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Delivery.Bounces;

/// <summary>
/// Mail the node writes itself — delivery status notifications, TLS reports — queued like any
/// other: written with CRLF line ends (RFC 5322 §2.3) into a message buffer and stored under a
/// fresh id.
/// </summary>
public static class NodeMail
{
    /// <summary>MIME written with CRLF line ends, as SMTP carries it (MimeKit defaults to the platform's).</summary>
    public static readonly FormatOptions Crlf = CreateCrlf();

    /// <param name="events">Where the message's reception is recorded once it is durable (so the index, and in a cluster the queue listing, know it); null: not recorded.</param>
    public static async Task<EnqueueResult> EnqueueAsync(IMessageQueue queue, MessageIdGenerator ids, Envelope envelope, MimeMessage message, DateTimeOffset now, CancellationToken cancellationToken, Core.Events.DeliveryEventLog? events = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(message);
        using var bytes = new MemoryStream();
        await message.WriteToAsync(Crlf, bytes, cancellationToken).ConfigureAwait(false);
        using var buffer = new MessageBuffer(Path.GetTempPath());
        buffer.Write(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        var id = ids.Next();
        var result = await queue.EnqueueAsync(envelope, id, now, buffer, cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Stored)
        {
            events?.Received(envelope, id, now, bytes.Length, message.Subject);
        }

        return result;
    }

    private static FormatOptions CreateCrlf()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
