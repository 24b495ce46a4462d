using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Pools;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// One leased message, from lease to settlement: drop suppressed recipients, split the rest by
/// domain, route and resolve each domain to a ready queue, hand it over and wait for the answer
/// (holding nothing a queue could use meanwhile), then settle. The domains of one message go to
/// their queues at the same time.
/// </summary>
internal sealed class Dispatcher(
    IMessageQueue queue,
    DeliveryPolicyHolder policy,
    Destinations destinations,
    ReadyQueues queues,
    RelayPoolDelivery relays,
    Settlement settlement,
    TimeProvider time,
    ILogger<Dispatcher> logger,
    Core.State.SuppressionList? suppressions = null,
    Feedback.ReturnPaths? returnPaths = null,
    Reputation.SenderReputation? reputation = null,
    Egress.WarmUpLedger? warmUp = null,
    MtaSts.MtaStsResolver? mtaSts = null,
    TlsReporting.TlsReportLedger? tlsReports = null,
    DeliveryControl? control = null)
{
    /// <summary>The site of a recipient refused here because it was suppressed after the message was queued.</summary>
    public const string SuppressedSite = "suppressed";

    public async Task DeliverAsync(QueueEntry entry)
    {
        try
        {
            // One snapshot for the whole message: a reload takes effect from the next message on.
            var current = policy.Current;
            var sender = Reputation.SenderIdentity.Of(entry.Envelope);
            if (reputation?.PausedFor(sender) is { } pause)
            {
                // A paused sender's mail waits, untried, until the pause ends or is lifted.
                var key = pause.Key;
                await settlement.SettleAsync(current, entry, [], [.. entry.Envelope.Recipients], HoldKey.ForPause(key), control is null ? null : () => control.PauseHoldWrittenAsync(key)).ConfigureAwait(false);
                return;
            }

            var results = new List<AttemptResult>(entry.Envelope.Recipients.Count);
            var recipients = Deliverable(entry, results);
            var groups = ByDomain(recipients);
            List<EnvelopeRecipient>? held = null;
            GroupResult? heldBy = null;
            if (groups.Count == 1)
            {
                Collect(await DeliverAndRecordAsync(current, entry, sender, groups[0]).ConfigureAwait(false), results, ref held, ref heldBy);
            }
            else if (groups.Count > 1)
            {
                var tasks = new Task<GroupResult>[groups.Count];
                for (var i = 0; i < groups.Count; i++)
                {
                    tasks[i] = DeliverAndRecordAsync(current, entry, sender, groups[i]);
                }

                foreach (var group in await Task.WhenAll(tasks).ConfigureAwait(false))
                {
                    Collect(group, results, ref held, ref heldBy);
                }
            }

            await settlement.SettleAsync(current, entry, results, held, heldBy?.Held, heldBy?.AfterHold).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug or a storage failure: the message goes back on the retry schedule. Nothing is lost.
            DispatchLog.Failed(logger, entry.Id.Value, ex);
            await queue.DeferAsync(entry.Id, time.GetUtcNow() + TimeSpan.FromMinutes(1), "451 4.3.0 Local error during delivery", null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Delivers one domain's recipients and has the queue record at once those delivered (a cluster's redelivery then skips them).</summary>
    private async Task<GroupResult> DeliverAndRecordAsync(DeliveryPolicy current, QueueEntry entry, Reputation.SenderIdentity sender, DomainGroup group)
    {
        var result = await DeliverGroupAsync(current, entry, sender, group).ConfigureAwait(false);
        if (!queue.RecordsDelivered)
        {
            return result;
        }

        List<EnvelopeRecipient>? delivered = null;
        foreach (var attempt in result.Results ?? [])
        {
            if (attempt.Outcome.Kind == DeliveryOutcomeKind.Delivered)
            {
                (delivered ??= []).Add(attempt.Recipient);
            }
        }

        if (delivered is not null)
        {
            await queue.RecordDeliveredAsync(entry.Id, delivered, CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<GroupResult> DeliverGroupAsync(DeliveryPolicy current, QueueEntry entry, Reputation.SenderIdentity sender, DomainGroup group)
    {
        var started = time.GetTimestamp();
        var route = current.Router.For(group.Domain);
        var envelope = group.Recipients.Count == entry.Envelope.Recipients.Count ? entry.Envelope : entry.Envelope with { Recipients = group.Recipients };
        if (returnPaths?.For(entry.Envelope.Sender, entry.Id) is { } returnPath && !ReferenceEquals(returnPath, entry.Envelope.Sender))
        {
            envelope = envelope with { Sender = returnPath };
        }

        var id = entry.Id;
        var message = new OutboundMessage(
            envelope,
            entry.Size,
            async ct => await queue.OpenContentAsync(id, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"{id} has no stored content"));

        JobResult result;
        string site;
        string? source;
        if (route.IsPool)
        {
            (result, site, source) = await relays.DeliverAsync(current, id, group.Domain, route, message, sender).ConfigureAwait(false);
        }
        else
        {
            var destination = await destinations.ResolveAsync(current, group.Domain, route).ConfigureAwait(false);
            if (destination.Failure is { } failure)
            {
                return GroupResult.From(JobResult.NotSent(failure, null), group.Recipients, destination.Site, null, time.GetElapsedTime(started));
            }

            if (mtaSts is not null && !route.IsRelay && await mtaSts.GetAsync(group.Domain, CancellationToken.None).ConfigureAwait(false) is { Mode: MtaSts.MtaStsMode.Enforce } sts)
            {
                // RFC 8461 §5: only MX hosts the policy names, and only over TLS with a certificate that is valid for them.
                var allowed = mtaSts.Allowed(sts, destination.Hosts);
                if (allowed.Count == 0)
                {
                    tlsReports?.Failed(group.Domain, TlsReporting.TlsResultType.ValidationFailure, destination.Site, null, null, "no MX host is in the MTA-STS policy");
                    var refused = DeliveryOutcome.Transient("4.7.5", $"MTA-STS: no MX host of {group.Domain} ({destination.Site}) is in its policy {sts.Id} (enforce)");
                    return GroupResult.From(JobResult.NotSent(refused, null), group.Recipients, destination.Site, null, time.GetElapsedTime(started));
                }

                destination = destination with { Hosts = allowed };
                route = route with { Tls = TlsPolicy.Verified };
            }

            Egress.EgressSource? egress;
            if (warmUp is not null && current.Egress.HasWarmUp)
            {
                // A warming source sends each provider no more than today's allowance; the rest goes from a warmed source, or waits for tomorrow.
                var provider = current.Shaping.ProviderName(destination.Hosts) ?? group.Domain;
                var releases = control?.WarmUpReleases ?? 0;
                (var choice, egress) = current.Egress.Next(route.EgressPool, source => warmUp.TryTake(source, provider));
                if (choice == Egress.EgressChoice.Refused)
                {
                    var afterHold = control is null ? null : (Func<ValueTask>)(() => control.WarmUpHoldWrittenAsync(releases));
                    return GroupResult.From(JobResult.Held(HoldKey.WarmUp, afterHold), group.Recipients, destination.Site, null, time.GetElapsedTime(started));
                }
            }
            else
            {
                egress = current.Egress.Next(route.EgressPool);
            }

            var (key, plan) = current.Plan(group.Domain, route, destination.Site, destination.Hosts, destination.Port, egress);
            result = await queues.SubmitAsync(key, plan, new DeliveryJob(id, group.Domain, message, sender)).ConfigureAwait(false);
            site = destination.Site;
            source = egress?.Name;
        }

        return GroupResult.From(result, group.Recipients, site, source, time.GetElapsedTime(started));
    }

    /// <summary>Recipients suppressed since the message was queued are not mailed: they bounce here (5.7.1).</summary>
    private List<EnvelopeRecipient> Deliverable(QueueEntry entry, List<AttemptResult> results)
    {
        var recipients = entry.Envelope.Recipients;
        if (suppressions is not { Count: > 0 })
        {
            return recipients as List<EnvelopeRecipient> ?? [.. recipients];
        }

        var now = time.GetUtcNow();
        var deliverable = new List<EnvelopeRecipient>(recipients.Count);
        foreach (var recipient in recipients)
        {
            if (suppressions.Find(recipient.Address, entry.Envelope.Sender, now) is { } hit)
            {
                results.Add(new AttemptResult(recipient, DeliveryOutcome.Permanent(550, "5.7.1", $"Recipient <{recipient.Address}> was suppressed ({hit.Reason.ToString().ToLowerInvariant()}) before delivery"), SuppressedSite, null));
            }
            else
            {
                deliverable.Add(recipient);
            }
        }

        return deliverable;
    }

    /// <summary>Recipients grouped by domain in first-seen order, without LINQ: most messages have one domain.</summary>
    private static List<DomainGroup> ByDomain(List<EnvelopeRecipient> recipients)
    {
        var groups = new List<DomainGroup>(1);
        foreach (var recipient in recipients)
        {
            var found = false;
            foreach (var group in groups)
            {
                if (string.Equals(group.Domain, recipient.Domain, StringComparison.Ordinal))
                {
                    group.Recipients.Add(recipient);
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                groups.Add(new DomainGroup(recipient.Domain, recipients.Count == 1 ? recipients : [recipient]));
            }
        }

        return groups;
    }

    /// <summary>
    /// Adds a group's results. Held groups are held together under one key (<paramref name="heldBy"/>),
    /// and the whole message goes again when that key is released; a group whose own hold still
    /// stands then is simply held again, without an attempt. So the key chosen is the one likely
    /// released soonest (<see cref="HoldKey.LikelyReleasedBefore"/>): under a suspension's key, a
    /// group held only by another destination's rest would wait out the suspension too.
    /// </summary>
    private static void Collect(GroupResult group, List<AttemptResult> results, ref List<EnvelopeRecipient>? held, ref GroupResult? heldBy)
    {
        if (group.Held is { } key)
        {
            (held ??= []).AddRange(group.Recipients);
            if (heldBy is null || key.LikelyReleasedBefore(heldBy.Held!.Value))
            {
                heldBy = group;
            }

            return;
        }

        results.AddRange(group.Results!);
    }
}
