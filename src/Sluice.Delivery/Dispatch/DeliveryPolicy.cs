using System.Collections.Concurrent;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Egress;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Scheduling;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Everything about delivery that a config reload may change, compiled once and never mutated:
/// routes, shaping, retry schedule, egress pools and client settings. A message is planned under
/// one snapshot, so a reload never mixes two configs within one attempt.
/// </summary>
public sealed class DeliveryPolicy
{
    private readonly ConcurrentDictionary<QueueKey, QueuePlan> _plans = new();

    public DeliveryPolicy(DeliveryOptions options, int generation, DateTimeOffset loadedAt, Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Generation = generation;
        LoadedAt = loadedAt;
        Router = new Router(options.Routes, options.RelayHost);
        Shaping = new ShapingPolicy(options.Shaping);
        Retry = new RetrySchedule(options.Retry, random);
        Egress = new EgressSelector(options.Egress);
        ReplyRules = new ReplyRules([
            .. options.ReplyRulesFile is { } file ? ReplyRules.Load(file) : [],
            .. options.BuiltInReplyRules ? ReplyRules.BuiltIn() : []]);
    }

    public DeliveryOptions Options { get; }

    /// <summary>1 for the config the node started with, +1 for each reload that took.</summary>
    public int Generation { get; }

    public DateTimeOffset LoadedAt { get; }

    public Router Router { get; }

    public ShapingPolicy Shaping { get; }

    public RetrySchedule Retry { get; }

    public EgressSelector Egress { get; }

    /// <summary>Reply-driven shaping: what a throttling or blocking reply does to its ready queue.</summary>
    public ReplyRules ReplyRules { get; }

    /// <summary>
    /// The ready queue for one domain's mail at <paramref name="site"/> from <paramref name="source"/>,
    /// and how that queue reaches its hosts: shaping, and client settings (source address, EHLO
    /// name, TLS, timeouts, credentials). The plan is remembered per key while the hosts answer is
    /// the same, so the hot path allocates nothing and a queue sees the same plan instance.
    /// </summary>
    public (QueueKey Key, QueuePlan Plan) Plan(
        string domain, Route route, string site, IReadOnlyList<MxHost> hosts, int port, EgressSource? source, (string User, string? Password)? credentials = null)
    {
        var tls = route.Tls ?? Options.Client.Tls;
        var ownDomain = Shaping.OwnDomain(domain);
        var key = new QueueKey(site, source?.Name, ownDomain, tls == Options.Client.Tls ? null : tls);
        if (_plans.TryGetValue(key, out var known) && ReferenceEquals(known.Hosts, hosts) && known.Port == port)
        {
            return (key, known);
        }

        var shaping = Shaping.Resolve(site, hosts, ownDomain, source?.Name);
        var client = Options.Client.With(source?.Address, source?.EhloName, tls);
        client.ConnectTimeout = shaping.ConnectTimeout;
        client.GreetingTimeout = shaping.CommandTimeout;
        client.CommandTimeout = shaping.CommandTimeout;
        client.DataBlockTimeout = shaping.DataTimeout;
        client.FinalDotTimeout = shaping.DataDoneTimeout;
        client.Username = credentials?.User;
        client.Password = credentials?.Password;
        var plan = new QueuePlan(hosts, port, shaping, client);
        _plans[key] = plan;
        return (key, plan);
    }
}
