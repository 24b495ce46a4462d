using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Events;

namespace Sluice;

/// <summary>The queue as the SMTP server sees it, writing a Reception event for every message made durable.</summary>
internal sealed class ReceptionEvents(IMessageQueue queue, DeliveryEventLog events, TimeProvider time) : IMessageIntake
{
    public bool HasRoomFor(long bytes) => queue.HasRoomFor(bytes);

    public async ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        var result = await queue.EnqueueAsync(envelope, id, receivedAt, content, cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Stored)
        {
            foreach (var recipient in envelope.Recipients)
            {
                events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.Reception, id.Value, recipient.Address, null, envelope.ClientAddress, 0, null, "received", (time.GetUtcNow() - receivedAt).TotalMilliseconds));
            }
        }

        return result;
    }
}
