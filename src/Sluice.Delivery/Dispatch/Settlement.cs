using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Bounces;
using Sluice.Core.Events;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Settles a message after its attempt: events and metrics per recipient, bounces (RFC 3464) for
/// what failed for good or expired — queued before the original is changed, so a crash in between
/// repeats work but loses nothing — then ack when nothing is left, defer the rest on the retry
/// schedule when something was attempted, or hold it when nothing was (its destination suspended,
/// resting or full: no attempt counted, retry time kept).
/// </summary>
internal sealed class Settlement(
    IMessageQueue queue,
    BounceSender bounces,
    Classification.BounceClassifier classifier,
    DeliveryEventLog events,
    SluiceMetrics metrics,
    TimeProvider time,
    ILogger logger,
    Reputation.SenderReputation? reputation = null)
{
    /// <param name="afterHold">Run once a hold under <paramref name="holdKey"/> is written (see <see cref="JobResult.AfterHold"/>).</param>
    public async Task SettleAsync(DeliveryPolicy policy, QueueEntry entry, List<AttemptResult> results, List<EnvelopeRecipient>? held, HoldKey? holdKey, Func<ValueTask>? afterHold = null)
    {
        var now = time.GetUtcNow();
        var attempt = entry.Attempts + 1;
        var permanent = new List<FailedRecipient>();
        var remaining = new List<EnvelopeRecipient>();
        string? lastReply = null;
        var sender = reputation is null ? default : Reputation.SenderIdentity.Of(entry.Envelope);
        foreach (var r in results)
        {
            var reply = r.Outcome.Reply.ToString();
            switch (r.Outcome.Kind)
            {
                case DeliveryOutcomeKind.Delivered:
                    Record(DeliveryEventType.Delivery, entry, r, attempt, "delivered");
                    reputation?.Delivered(sender);
                    metrics.DeliveryLatency.Record((now - entry.ReceivedAt).TotalSeconds);
                    DispatchLog.Delivered(logger, entry.Id.Value, r.Recipient.Address, r.RemoteMta, reply);
                    break;
                case DeliveryOutcomeKind.Transient:
                    remaining.Add(r.Recipient);
                    lastReply = reply;
                    Record(DeliveryEventType.TransientFailure, entry, r, attempt, "transient");
                    break;
                default:
                    permanent.Add(new FailedRecipient(r.Recipient, r.Outcome, r.RemoteMta, now));
                    var category = classifier.Classify(r.Outcome.Reply);
                    if (reputation is not null && r.Site != Dispatcher.SuppressedSite)
                    {
                        // Suppressed before the bounce is told: whoever sees the event and sends again is refused.
                        await reputation.BouncedAsync(sender, entry.Id.Value, r.Recipient.Address, r.Outcome.Reply, category, Reputation.BounceOrigin.Delivery, CancellationToken.None).ConfigureAwait(false);
                    }

                    Record(DeliveryEventType.Bounce, entry, r, attempt, "bounced", category);
                    DispatchLog.Bounced(logger, entry.Id.Value, r.Recipient.Address, reply);

                    break;
            }
        }

        if (held is { Count: > 0 })
        {
            if (remaining.Count > 0)
            {
                // Part of the message was attempted and is deferred: the held recipients go along with it.
                remaining.AddRange(held);
                held = null;
            }
            else if (now >= entry.ReceivedAt + policy.Options.Retry.MaxAge)
            {
                // Held or not, a message past its lifetime expires (RFC 5321 §4.5.4.1).
                foreach (var recipient in held)
                {
                    var expired = DeliveryOutcome.Permanent(554, "5.4.7", $"Delivery time expired while its destination was held ({holdKey}); last reply: {entry.LastReply ?? "none"}");
                    permanent.Add(new FailedRecipient(recipient, expired, null, now));
                    Record(DeliveryEventType.Expiration, entry, new AttemptResult(recipient, expired, holdKey?.Value ?? string.Empty, null), attempt, "expired");
                }

                held = null;
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
                    var last = LastResult(results, recipient);
                    var expired = DeliveryOutcome.Permanent(554, "5.4.7", $"Delivery time expired after {attempt} attempts; last reply: {last?.Outcome.Reply.ToString() ?? entry.LastReply ?? "none"}");
                    permanent.Add(new FailedRecipient(recipient, expired, last?.RemoteMta, now));
                    if (reputation is not null)
                    {
                        await reputation.BouncedAsync(sender, entry.Id.Value, recipient.Address, expired.Reply, Classification.BounceCategory.Expired, Reputation.BounceOrigin.Expiry, CancellationToken.None).ConfigureAwait(false);
                    }

                    Record(DeliveryEventType.Expiration, entry, (last ?? new AttemptResult(recipient, expired, string.Empty, null)) with { Outcome = expired }, attempt, "expired");

                }

                remaining.Clear();
            }
        }

        if (!await bounces.SendAsync(entry, permanent, now).ConfigureAwait(false))
        {
            // The bounce is not durable, so the failures must not leave the queue yet: everything not
            // delivered is tried again shortly (the permanent failures fail again and bounce then).
            var undelivered = new List<EnvelopeRecipient>(permanent.Count + remaining.Count + (held?.Count ?? 0));
            permanent.ForEach(p => undelivered.Add(p.Recipient));
            undelivered.AddRange(remaining);
            undelivered.AddRange(held ?? []);
            await WriteAsync(entry, "defer after a bounce that could not be queued", () => queue.DeferAsync(entry.Id, now + BounceRetry, entry.LastReply, Left(entry, undelivered), CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (remaining.Count > 0)
        {
            foreach (var recipient in remaining)
            {
                DispatchLog.Deferred(logger, entry.Id.Value, recipient.Address, next!.Value, lastReply ?? string.Empty);
            }

            await WriteAsync(entry, "defer", () => queue.DeferAsync(entry.Id, next!.Value, lastReply, Left(entry, remaining), CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (held is { Count: > 0 })
        {
            var key = holdKey!.Value;
            metrics.DeliveryHeld.Add(held.Count, new KeyValuePair<string, object?>("reason", key.Reason));
            await WriteAsync(entry, "hold", () => queue.HoldAsync(entry.Id, key.Value, Left(entry, held), CancellationToken.None)).ConfigureAwait(false);
            await AfterHoldAsync(entry, key, afterHold).ConfigureAwait(false);
            if (key.Lasts)
            {
                // Timed after the hold is written: a release indexed after these events finds the recipients held.
                var heldAt = time.GetUtcNow();
                foreach (var recipient in held)
                {
                    events.Write(new DeliveryEvent(
                        heldAt,
                        DeliveryEventType.Hold,
                        entry.Id.Value,
                        recipient.Address,
                        null,
                        null,
                        entry.Attempts,
                        null,
                        key.Value,
                        null,
                        QueuedMs: (heldAt - entry.ReceivedAt).TotalMilliseconds,
                        Sender: entry.Envelope.Sender,
                        Tags: entry.Envelope.Tags ?? []));
                }
            }

            return;
        }

        await WriteAsync(entry, "ack", () => queue.AckAsync(entry.Id, CancellationToken.None)).ConfigureAwait(false);
    }

    /// <summary>
    /// The hold is written: whoever decided it looks again, and releases it if what it waited for
    /// ended meanwhile. A failure leaves the message held until the next release of its key or a
    /// restart (which releases every hold): nothing is lost, and the message is settled either way.
    /// </summary>
    private async Task AfterHoldAsync(QueueEntry entry, HoldKey key, Func<ValueTask>? afterHold)
    {
        if (afterHold is null)
        {
            return;
        }

        try
        {
            await afterHold().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DispatchLog.LateReleaseFailed(logger, entry.Id.Value, key.Value, ex);
        }
    }

    /// <summary>How long a message waits when its bounce could not be queued.</summary>
    private static readonly TimeSpan BounceRetry = TimeSpan.FromMinutes(1);

    /// <summary>Waits between tries of a settle write the queue could not take (a full or failing disk).</summary>
    private static readonly TimeSpan[] WriteRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>
    /// A settle write, tried again a few times when the queue cannot take it: the message stays in
    /// hand meanwhile and is never sent again for it. After the last try it stays leased; the next
    /// start releases it (at-least-once, as after a crash).
    /// </summary>
    private async Task WriteAsync(QueueEntry entry, string what, Func<ValueTask<bool>> write)
    {
        if (await write().ConfigureAwait(false))
        {
            return;
        }

        foreach (var wait in WriteRetries)
        {
            await Task.Delay(wait, time).ConfigureAwait(false);
            if (await write().ConfigureAwait(false))
            {
                return;
            }
        }

        DispatchLog.SettleFailed(logger, entry.Id.Value, what);
    }

    private static Envelope? Left(QueueEntry entry, List<EnvelopeRecipient> left)
        => left.Count == entry.Envelope.Recipients.Count ? null : entry.Envelope with { Recipients = left };

    private static AttemptResult? LastResult(List<AttemptResult> results, EnvelopeRecipient recipient)
    {
        foreach (var r in results)
        {
            if (r.Recipient == recipient)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>Counts and logs an outcome (its bounce category given when the caller has it already).</summary>
    private void Record(DeliveryEventType type, QueueEntry entry, AttemptResult result, int attempt, string outcome, Classification.BounceCategory? category = null)
    {
        var classification = result.Outcome.Kind == DeliveryOutcomeKind.Delivered ? "delivered" : (category ?? classifier.Classify(result.Outcome.Reply)).ToString();
        metrics.DeliveryOutcomes.Add(
            1,
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("classification", classification),
            new KeyValuePair<string, object?>("site", result.Site),
            new KeyValuePair<string, object?>("sender_domain", Core.Telemetry.SenderDomains.Of(entry.Envelope.Sender)));
        events.Write(new DeliveryEvent(
            time.GetUtcNow(),
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
            (time.GetUtcNow() - entry.ReceivedAt).TotalMilliseconds,
            // The message's sender and tags travel with its outcome: in a cluster the node that
            // delivers may index the outcome before the receiving node indexes the reception.
            Sender: entry.Envelope.Sender,
            Tags: entry.Envelope.Tags ?? []));
    }
}
