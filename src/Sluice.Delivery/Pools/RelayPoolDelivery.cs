using Microsoft.Extensions.Logging;
using Sluice.Core.Balancing;
using Sluice.Core.Messages;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>
/// One domain's mail through a relay pool: the shared failover loop picks a member, the job goes
/// to that member's ready queue, and when the member cannot take it by its own fault (no session,
/// 421, a session lost before the answer) or holds it back, the next member gets it, until one
/// answers or none is left. The message is never lost: with no member, it is deferred.
/// </summary>
internal sealed class RelayPoolDelivery
{
    private readonly RelayPools _relays;
    private readonly MxResolver _dns;
    private readonly ReadyQueues _queues;
    private readonly Classification.BounceClassifier _classifier;
    private readonly ILogger _logger;
    private readonly FailoverLoop _loop;

    public RelayPoolDelivery(RelayPools relays, MxResolver dns, ReadyQueues queues, Classification.BounceClassifier classifier, ILogger logger, SluiceMetrics? metrics = null)
    {
        _relays = relays;
        _dns = dns;
        _queues = queues;
        _classifier = classifier;
        _logger = logger;
        _loop = new FailoverLoop(relays.Set);
        if (metrics is not null)
        {
            _loop.Picked += (pool, member) => metrics.PoolSelections.Add(1, new KeyValuePair<string, object?>("pool", pool.Name), new KeyValuePair<string, object?>("member", member.Name));
            _loop.Faulted += (member, fault) => metrics.PoolFailures.Add(
                1,
                new KeyValuePair<string, object?>("pool", member.Pool),
                new KeyValuePair<string, object?>("member", member.Name),
                new KeyValuePair<string, object?>("reason", fault.ToString()));
        }
    }

    public async Task<(JobResult Result, string Site, string? Source)> DeliverAsync(DeliveryPolicy policy, MessageId id, string domain, Route route, OutboundMessage message, Reputation.SenderIdentity? sender = null)
    {
        var poolName = route.Pool!;
        string? site = null;
        string? source = null;
        var run = await _loop.RunAsync(poolName, async member =>
        {
            site = Site(member);
            var relay = Router.Parse(member.Address, null);
            var (hosts, _) = await _dns.ResolveRelayAsync(relay.RelayHost!, CancellationToken.None).ConfigureAwait(false);
            if (hosts is null)
            {
                PoolLog.MemberFailed(_logger, member.Pool, member.Name, nameof(MemberFault.ConnectFailed), id.Value);
                return MemberTries.Failed(JobResult.NotSent(DeliveryOutcome.Transient("4.4.3", $"Relay {member.Address} does not resolve"), null), MemberFault.ConnectFailed);
            }

            var settings = _relays.SettingsOf(member);
            var egress = policy.Egress.Next(route.EgressPool);
            source = egress?.Name;
            var memberRoute = settings.Tls is { } tls && tls != route.Tls ? route with { Tls = tls } : route;
            var (key, plan) = policy.Plan(domain, memberRoute, site, hosts, relay.RelayPort, egress, settings.Username is { } user ? (user, settings.Password) : null);
            var result = await _queues.SubmitAsync(key, plan, new DeliveryJob(id, domain, message, sender)).ConfigureAwait(false);
            var attempt = Judge(result);
            if (attempt.Fault is { } fault)
            {
                PoolLog.MemberFailed(_logger, member.Pool, member.Name, fault.ToString(), id.Value);
            }

            return attempt;
        }).ConfigureAwait(false);

        if (run.Taken)
        {
            run.Lease.Dispose();
            return (run.Result!, site!, source);
        }

        if (run.Result is { Kind: JobResultKind.Held } held)
        {
            return (held, site!, source);
        }

        var none = run.Result?.Failure ?? run.Result?.Outcomes?[0].Outcome;
        var failure = none is null
            ? DeliveryOutcome.Transient("4.4.1", $"No member of relay pool {poolName} is available")
            : DeliveryOutcome.Transient("4.4.1", $"No member of relay pool {poolName} could take the message; last: {none.Reply}");
        return (JobResult.NotSent(failure, null), string.Concat("pool:", poolName), null);
    }

    /// <summary>The site name of a pool member's ready queues.</summary>
    public static string Site(BalancerMember member) => string.Concat("pool:", member.Pool, "/", member.Name);

    /// <summary>Whose fault, and whether the next member should get the message.</summary>
    private MemberTry<JobResult> Judge(JobResult result)
    {
        switch (result.Kind)
        {
            case JobResultKind.Held:
                // The member's queue rests or is suspended: another member may take the mail now.
                return new MemberTry<JobResult>(result, null, TryNext: true);
            case JobResultKind.NotSent:
                var (notSent, cause) = Verdicts.Of(result.Failure!, _classifier);
                return new MemberTry<JobResult>(result, MemberFaults.Of(notSent, cause), TryNext: true);
            default:
                var (verdict, decisive) = Verdicts.Of(result.Outcomes!, _classifier);

                // RFC 5321 §3.8: 421 closes the session; the member is going away, the message is not at fault.
                return new MemberTry<JobResult>(result, MemberFaults.Of(verdict, decisive), TryNext: AllClosing(result.Outcomes!));
        }
    }

    private static bool AllClosing(IReadOnlyList<RecipientOutcome> outcomes)
    {
        foreach (var o in outcomes)
        {
            if (o.Outcome.Reply.Code != 421)
            {
                return false;
            }
        }

        return true;
    }
}
