using System.Net;
using Sluice.Core.Balancing;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Pools;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

internal sealed partial class Dispatcher
{
    /// <summary>
    /// One attempt through a relay pool: a member by the pool's policy (failing over to next pools),
    /// and when that member cannot take the message by its own fault (no session, 421, session lost
    /// before the answer) the next member, until one answers or none is left. The message is never
    /// lost: with no member left, its recipients are deferred and retried on the schedule.
    /// </summary>
    private async Task<List<AttemptResult>> DeliverViaPoolAsync(DeliveryPolicy policy, QueueEntry entry, string domain, Route route, List<EnvelopeRecipient> recipients, OutboundMessage message)
    {
        var poolName = route.Pool!;
        List<BalancerMember>? tried = null;
        DeliveryOutcome? last = null;
        while (_relays.Set.Pick(poolName, tried is null ? null : tried.Contains) is { Member: { } member, Pool: { } pool })
        {
            (tried ??= []).Add(member);
            using var lease = member.Begin();
            _metrics.PoolSelections.Add(1, new KeyValuePair<string, object?>("pool", pool.Name), new KeyValuePair<string, object?>("member", member.Name));
            var site = $"pool:{pool.Name}/{member.Name}";
            var (hosts, port) = await MemberHostsAsync(member).ConfigureAwait(false);
            if (hosts is null)
            {
                last = DeliveryOutcome.Transient("4.4.3", $"Relay {member.Address} does not resolve");
                MemberFailed(member, MemberFault.ConnectFailed, entry.Id);
                continue;
            }

            var settings = _relays.SettingsOf(member);
            var source = policy.Egress.Next(route.EgressPool);
            var (poolKey, shaping, client) = policy.Plan(domain, route with { Tls = settings.Tls ?? route.Tls }, site, hosts, source, settings.Username is { } user ? (user, settings.Password) : null);
            var attempt = await SendToHostsAsync(new HostTarget(site, poolKey, shaping, client, hosts, port, source?.Name), message).ConfigureAwait(false);
            if (attempt.Results is not { } results)
            {
                last = attempt.LastFailure;
                MemberFailed(member, attempt.LostInTransaction ? MemberFault.Dropped : MemberFaults.OfSetup(attempt.LastFailure!), entry.Id);
                continue;
            }

            var first = results[0].Outcome;
            var throttling = first.Kind == DeliveryOutcomeKind.Transient && _classifier.Classify(first.Reply) == Classification.BounceCategory.RateLimited;
            if (MemberFaults.OfTransaction(first, throttling) is not { } fault)
            {
                member.ReportSuccess();
                return results;
            }

            MemberFailed(member, fault, entry.Id);
            if (results.TrueForAll(r => r.Outcome.Reply.Code == 421))
            {
                // RFC 5321 §3.8: 421 closes the session; the member is going away, the message is not at fault.
                last = first;
                continue;
            }

            return results;
        }

        var none = last is null
            ? DeliveryOutcome.Transient("4.4.1", $"No member of relay pool {poolName} is available")
            : DeliveryOutcome.Transient("4.4.1", $"No member of relay pool {poolName} could take the message; last: {last.Reply}");
        return [.. recipients.Select(r => new AttemptResult(r, none, $"pool:{poolName}", null))];
    }

    private void MemberFailed(BalancerMember member, MemberFault fault, MessageId id)
    {
        member.ReportFault(fault);
        _metrics.PoolFailures.Add(
            1,
            new KeyValuePair<string, object?>("pool", member.Pool),
            new KeyValuePair<string, object?>("member", member.Name),
            new KeyValuePair<string, object?>("reason", fault.ToString()));
        PoolLog.MemberFailed(_logger, member.Pool, member.Name, fault.ToString(), id.Value);
    }

    private async Task<(IReadOnlyList<MxHost>? Hosts, int Port)> MemberHostsAsync(BalancerMember member)
    {
        var relay = Router.Parse(member.Address, null);
        return ((await _dns.ResolveRelayAsync(relay.RelayHost!, CancellationToken.None).ConfigureAwait(false)).Hosts, relay.RelayPort);
    }
}
