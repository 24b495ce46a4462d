using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Events;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

internal sealed partial class Dispatcher
{
    private async Task SettleAsync(DeliveryPolicy policy, QueueEntry entry, List<AttemptResult> results)
    {
        var now = _time.GetUtcNow();
        var attempt = entry.Attempts + 1;
        var permanent = new List<FailedRecipient>();
        var remaining = new List<EnvelopeRecipient>();
        string? lastReply = null;
        foreach (var r in results)
        {
            var reply = r.Outcome.Reply.ToString();
            switch (r.Outcome.Kind)
            {
                case DeliveryOutcomeKind.Delivered:
                    Record(DeliveryEventType.Delivery, entry, r, attempt, "delivered");
                    _metrics.DeliveryLatency.Record((now - entry.ReceivedAt).TotalSeconds);
                    DispatchLog.Delivered(_logger, entry.Id.Value, r.Recipient.Address, r.RemoteMta, reply);
                    break;
                case DeliveryOutcomeKind.Transient:
                    remaining.Add(r.Recipient);
                    lastReply = reply;
                    Record(DeliveryEventType.TransientFailure, entry, r, attempt, "transient");
                    break;
                default:
                    permanent.Add(new FailedRecipient(r.Recipient, r.Outcome, r.RemoteMta, now));
                    Record(DeliveryEventType.Bounce, entry, r, attempt, "bounced");
                    DispatchLog.Bounced(_logger, entry.Id.Value, r.Recipient.Address, reply);
                    break;
            }
        }

        DateTimeOffset? next = null;
        if (remaining.Count > 0)
        {
            next = policy.Retry.Next(attempt, entry.ReceivedAt, now);
            if (next is null)
            {
                // RFC 3463 5.4.7: delivery time expired.
                foreach (var recipient in remaining)
                {
                    var last = results.First(r => r.Recipient == recipient);
                    var expired = DeliveryOutcome.Permanent(554, "5.4.7", $"Delivery time expired after {attempt} attempts; last reply: {last.Outcome.Reply}");
                    permanent.Add(new FailedRecipient(recipient, expired, last.RemoteMta, now));
                    Record(DeliveryEventType.Expiration, entry, last with { Outcome = expired }, attempt, "expired");
                }

                remaining.Clear();
            }
        }

        if (!await _bounces.SendAsync(entry, permanent, now).ConfigureAwait(false))
        {
            return;
        }

        if (remaining.Count > 0)
        {
            foreach (var recipient in remaining)
            {
                DispatchLog.Deferred(_logger, entry.Id.Value, recipient.Address, next!.Value, lastReply ?? string.Empty);
            }

            var left = remaining.Count == entry.Envelope.Recipients.Count ? null : entry.Envelope with { Recipients = remaining };
            await _queue.DeferAsync(entry.Id, next!.Value, lastReply, left, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await _queue.AckAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);
    }

    private void Record(DeliveryEventType type, QueueEntry entry, AttemptResult result, int attempt, string outcome)
    {
        var classification = result.Outcome.Kind == DeliveryOutcomeKind.Delivered ? "delivered" : _classifier.Classify(result.Outcome.Reply).ToString();
        _metrics.DeliveryOutcomes.Add(
            1,
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("classification", classification),
            new KeyValuePair<string, object?>("site", result.Site));
        _events.Write(new DeliveryEvent(
            _time.GetUtcNow(),
            type,
            entry.Id.Value,
            result.Recipient.Address,
            result.Site,
            result.RemoteMta,
            attempt,
            result.Outcome.Reply.ToString(),
            classification,
            result.Elapsed?.TotalMilliseconds,
            result.Source,
            (_time.GetUtcNow() - entry.ReceivedAt).TotalMilliseconds));
    }
}
