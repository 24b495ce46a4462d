using MimeKit;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Events;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

internal sealed partial class Dispatcher
{
    private async Task SettleAsync(QueueEntry entry, List<AttemptResult> results)
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
            next = _retry.Next(attempt, entry.ReceivedAt, now);
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

        if (!await QueueBounceAsync(entry, permanent, now).ConfigureAwait(false))
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

    /// <summary>Queues the DSN for the recipients that want one; false if it could not be made durable (then nothing is settled).</summary>
    private async Task<bool> QueueBounceAsync(QueueEntry entry, List<FailedRecipient> permanent, DateTimeOffset now)
    {
        var notify = permanent.Where(f => DsnBuilder.WantsFailureNotice(f.Recipient)).ToList();

        // A bounce of a bounce (null reverse-path) is never sent: no loops (RFC 5321 §4.5.5).
        if (notify.Count == 0 || entry.Envelope.Sender.Length == 0)
        {
            return true;
        }

        MimeMessage dsn;
        await using (var original = await _queue.OpenContentAsync(entry.Id, CancellationToken.None).ConfigureAwait(false) ?? Stream.Null)
        {
            dsn = _dsn.Build(entry.Id, entry.Envelope, entry.ReceivedAt, notify, original, now);
        }

        using var bytes = new MemoryStream();
        await dsn.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes).ConfigureAwait(false);
        using var buffer = new MessageBuffer(Path.GetTempPath());
        buffer.Write(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        var envelope = new Envelope(string.Empty, [new EnvelopeRecipient(entry.Envelope.Sender)]);
        var result = await _queue.EnqueueAsync(envelope, _ids.Next(), now, buffer, CancellationToken.None).ConfigureAwait(false);
        if (result != EnqueueResult.Stored)
        {
            DispatchLog.BounceNotQueued(_logger, entry.Id.Value, result);
            return false;
        }

        return true;
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
            null,
            result.Source));
    }
}
