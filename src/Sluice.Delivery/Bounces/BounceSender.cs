using Microsoft.Extensions.Logging;
using MimeKit;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Dispatch;

namespace Sluice.Delivery.Bounces;

/// <summary>
/// Queues the RFC 3464 notification for recipients that failed for good — from the dispatcher, or
/// when an operator returns messages to their senders. Nothing is sent for a null reverse-path
/// (RFC 5321 §4.5.5: no bounce loops) or for recipients whose NOTIFY excludes FAILURE.
/// </summary>
public sealed class BounceSender(IMessageQueue queue, DsnBuilder dsn, MessageIdGenerator ids, ILogger<BounceSender> logger, Core.Events.DeliveryEventLog? events = null)
{
    /// <summary>False when the notice could not be made durable (then the caller must not settle the message).</summary>
    public async Task<bool> SendAsync(QueueEntry entry, IReadOnlyList<FailedRecipient> failed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var original = await queue.OpenContentAsync(entry.Id, CancellationToken.None).ConfigureAwait(false) ?? Stream.Null;
        return await SendAsync(entry, failed, now, original).ConfigureAwait(false);
    }

    /// <summary>The same, with the message's bytes at hand (an operator's bounce of mail a broker held).</summary>
    public async Task<bool> SendAsync(QueueEntry entry, IReadOnlyList<FailedRecipient> failed, DateTimeOffset now, Stream original)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var notify = failed.Where(f => DsnBuilder.WantsFailureNotice(f.Recipient)).ToList();
        if (notify.Count == 0 || entry.Envelope.Sender.Length == 0)
        {
            return true;
        }

        var message = dsn.Build(entry.Id, entry.Envelope, entry.ReceivedAt, notify, original, now);

        var envelope = new Envelope(string.Empty, [new EnvelopeRecipient(entry.Envelope.Sender)]);
        var result = await NodeMail.EnqueueAsync(queue, ids, envelope, message, now, CancellationToken.None, events).ConfigureAwait(false);
        if (result != EnqueueResult.Stored)
        {
            DispatchLog.BounceNotQueued(logger, entry.Id.Value, result);
            return false;
        }

        return true;
    }
}
