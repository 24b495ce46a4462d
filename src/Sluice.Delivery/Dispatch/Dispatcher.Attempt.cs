using System.Net;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

internal sealed partial class Dispatcher
{
    /// <summary>
    /// One attempt for the recipients of one domain: find the exchangers (or the relay), then try
    /// them in order (RFC 5321 §5.1) until one gives a real answer. Failures to connect or to set up
    /// the session move on to the next address; replies to the transaction are the outcome.
    /// </summary>
    private async Task<List<AttemptResult>> DeliverToDomainAsync(DeliveryPolicy policy, QueueEntry entry, string domain, List<EnvelopeRecipient> recipients)
    {
        var route = policy.Router.For(domain);
        if (_suspensions.SuspendedUntil(domain) is { } domainPause)
        {
            return Suspended(recipients, domain, domain, domainPause);
        }

        var message = new OutboundMessage(
            entry.Envelope with { Recipients = recipients },
            entry.Size,
            async ct => await _queue.OpenContentAsync(entry.Id, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"{entry.Id} has no stored content"));
        if (route.IsPool)
        {
            return await DeliverViaPoolAsync(policy, entry, domain, route, recipients, message).ConfigureAwait(false);
        }

        var (site, hosts, port, failure) = await TargetsAsync(policy, domain, route).ConfigureAwait(false);
        if (_suspensions.SuspendedUntil(site) is { } sitePause)
        {
            return Suspended(recipients, site, site, sitePause);
        }

        if (failure is not null)
        {
            return [.. recipients.Select(r => new AttemptResult(r, failure, site, null))];
        }

        var source = policy.Egress.Next(route.EgressPool);

        // Connections and their limits are per site × egress source (× domain, when it has its own shaping).
        var (poolKey, shaping, client) = policy.Plan(domain, route, site, hosts, source);
        if (!string.Equals(poolKey, site, StringComparison.Ordinal) && _suspensions.SuspendedUntil(poolKey) is { } poolPause)
        {
            // Resting after repeated failures from this source (or for this domain's own queue).
            return Suspended(recipients, site, poolKey, poolPause);
        }

        var attempt = await SendToHostsAsync(new HostTarget(site, poolKey, shaping, client, hosts, port, source?.Name), message).ConfigureAwait(false);
        if (attempt.Results is { } results)
        {
            return results;
        }

        var none = attempt.LastFailure ?? DeliveryOutcome.Transient("4.4.1", "No mail exchanger could be reached");
        return [.. recipients.Select(r => new AttemptResult(r, none, site, null))];
    }

    /// <summary>
    /// Tries the hosts of one target in order, each address in turn, until one answers the
    /// transaction. Null results mean no host did: every session failed to set up or was lost
    /// before the peer answered (<see cref="HostsAttempt.LastFailure"/> says how the last one ended).
    /// </summary>
    private async Task<HostsAttempt> SendToHostsAsync(HostTarget target, OutboundMessage message)
    {
        DeliveryOutcome? last = null;
        var lostInTransaction = false;
        foreach (var host in target.Hosts)
        {
            foreach (var address in host.Addresses)
            {
                var (connection, openFailure) = await _pool.AcquireAsync(target.PoolKey, target.Shaping, new IPEndPoint(address, target.Port), host.Name, target.Client, CancellationToken.None).ConfigureAwait(false);
                if (connection is null)
                {
                    last = openFailure;
                    lostInTransaction = false;
                    Feedback(target.PoolKey, openFailure!, connectionFailed: true);
                    continue;
                }

                await _pool.WaitForMessageSlotAsync(target.PoolKey, CancellationToken.None).ConfigureAwait(false);
                var outcomes = await connection.SendAsync(message, CancellationToken.None).ConfigureAwait(false);
                var broken = !connection.IsUsable;
                await _pool.ReleaseAsync(target.PoolKey, connection).ConfigureAwait(false);
                Feedback(target.PoolKey, outcomes[0].Outcome, connectionFailed: broken);
                if (outcomes.Any(o => o.Outcome.Kind == DeliveryOutcomeKind.Delivered))
                {
                    _pool.ReportSuccess(target.PoolKey);
                }

                if (broken && outcomes.All(o => o.Outcome.Kind == DeliveryOutcomeKind.Transient && o.Outcome.Reply.Status is { Subject: 4, Detail: 2 }))
                {
                    // The connection broke before the peer answered: that host, not the message, failed. Next host.
                    last = outcomes[0].Outcome;
                    lostInTransaction = true;
                    continue;
                }

                return new HostsAttempt([.. outcomes.Select(o => new AttemptResult(o.Recipient, o.Outcome, target.Site, host.Name, target.Source))], null, false);
            }
        }

        return new HostsAttempt(null, last, lostInTransaction);
    }

    /// <summary>Slow-start feedback: throttling narrows the window; repeated connection failures rest the site.</summary>
    private void Feedback(string site, DeliveryOutcome outcome, bool connectionFailed)
    {
        if (outcome.Reply.Code == 421 || (outcome.Kind == DeliveryOutcomeKind.Transient && _classifier.Classify(outcome.Reply) == Classification.BounceCategory.RateLimited))
        {
            _pool.ReportThrottled(site);
        }
        else if (connectionFailed && outcome.Kind != DeliveryOutcomeKind.Delivered && _pool.ReportFailure(site) is { } rest)
        {
            _suspensions.Suspend(site, _time.GetUtcNow() + rest);
        }
    }

    private static List<AttemptResult> Suspended(List<EnvelopeRecipient> recipients, string site, string what, DateTimeOffset until)
    {
        var outcome = DeliveryOutcome.Transient("4.3.0", $"Delivery to {what} is paused until {until:u} (suspended by an operator, or resting after repeated failures)");
        return [.. recipients.Select(r => new AttemptResult(r, outcome, site, null))];
    }

    private async Task<(string Site, IReadOnlyList<MxHost> Hosts, int Port, DeliveryOutcome? Failure)> TargetsAsync(DeliveryPolicy policy, string domain, Route route)
    {
        if (route.IsRelay)
        {
            var site = $"relay:{route.RelayHost}:{route.RelayPort}";
            var (hosts, detail) = await _dns.ResolveRelayAsync(route.RelayHost!, CancellationToken.None).ConfigureAwait(false);
            return hosts is not null
                ? (site, hosts, route.RelayPort, null)
                : (site, [], route.RelayPort, DeliveryOutcome.Transient("4.4.3", $"Relay host {route.RelayHost} does not resolve: {detail}"));
        }

        var mx = await _dns.ResolveAsync(domain, CancellationToken.None).ConfigureAwait(false);
        return mx.Kind switch
        {
            MxResolutionKind.Hosts => (mx.Site, mx.Hosts, policy.Options.MxPort, null),
            MxResolutionKind.NullMx => (domain, [], 0, DeliveryOutcome.Permanent(556, "5.1.10", $"Domain {domain} does not accept mail (null MX, RFC 7505)")),
            MxResolutionKind.NoSuchDomain => (domain, [], 0, DeliveryOutcome.Permanent(550, "5.1.2", $"Bad destination domain {domain}: {mx.Detail}")),
            _ => (domain, [], 0, DeliveryOutcome.Transient("4.4.3", $"DNS lookup for {domain} failed: {mx.Detail}")),
        };
    }
}
