using Microsoft.Extensions.Logging;
using Sluice.Core.Events;
using Sluice.Core.State;
using Sluice.Core.Telemetry;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// Applies an unsubscribe: the recipient is suppressed for the sending domain it unsubscribed from
/// (RFC 8058 unsubscribes from that sender's list, not from all mail), an Unsubscription event is
/// written on the message, and it is counted.
/// </summary>
public sealed partial class Unsubscriber(ISuppressionStore store, SuppressionList list, DeliveryEventLog events, SluiceMetrics metrics, TimeProvider time, ILogger<Unsubscriber> logger)
{
    public async Task ApplyAsync(string messageId, string recipient, string senderDomain, UnsubscribeMethod method, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var suppression = new Suppression(recipient, senderDomain.Length > 0 ? senderDomain : null, SuppressionReason.Unsubscribe, now);
        await store.UpsertAsync([suppression], cancellationToken).ConfigureAwait(false);
        list.Add([suppression]);
        var how = method == UnsubscribeMethod.OneClick ? "one_click" : "mailto";
        events.Write(new DeliveryEvent(now, DeliveryEventType.Unsubscription, messageId, recipient, null, null, 0, how, "unsubscribed", null, Sender: senderDomain.Length > 0 ? "@" + senderDomain : null));
        metrics.Unsubscribes.Add(1, new KeyValuePair<string, object?>("sender_domain", senderDomain), new KeyValuePair<string, object?>("method", how));
        Unsubscribed(logger, recipient, senderDomain, how, messageId);
    }

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Unsubscribed {Recipient} from {SenderDomain} ({Method}, message {MessageId})")]
    private static partial void Unsubscribed(ILogger logger, string recipient, string senderDomain, string method, string messageId);
}
