using System.Collections.Concurrent;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Egress;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Scheduling;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Everything about delivery that a config reload may change, compiled once and never mutated:
/// routes, shaping, retry schedule, egress pools and client settings. The dispatcher reads the
/// current snapshot once per message, so a reload never mixes two configs within one attempt.
/// </summary>
internal sealed class DeliveryPolicy
{
    private readonly ConcurrentDictionary<(string PoolKey, TlsPolicy Tls), SmtpClientOptions> _clients = new();

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
    }

    public DeliveryOptions Options { get; }

    /// <summary>1 for the config the node started with, +1 for each reload that took.</summary>
    public int Generation { get; }

    public DateTimeOffset LoadedAt { get; }

    public Router Router { get; }

    public ShapingPolicy Shaping { get; }

    public RetrySchedule Retry { get; }

    public EgressSelector Egress { get; }

    /// <summary>
    /// Where and how one domain's mail goes from <paramref name="source"/>: the connection pool key
    /// (site, the domain when it has its own shaping, the source, and a TLS policy that differs from
    /// the default, so a connection made under a weaker policy is never reused for a stricter one),
    /// the shaping, and the client settings (source address, EHLO name, TLS, timeouts).
    /// </summary>
    public (string PoolKey, SiteShaping Shaping, SmtpClientOptions Client) Plan(
        string domain, Route route, string site, IReadOnlyList<MxHost> hosts, EgressSource? source, (string User, string? Password)? credentials = null)
    {
        var (poolKey, shaping) = Shaping.Resolve(site, hosts, domain, source?.Name);
        var tls = route.Tls ?? Options.Client.Tls;
        if (tls != Options.Client.Tls)
        {
            poolKey = string.Concat(poolKey, "|tls=", tls.ToString());
        }

        var client = _clients.GetOrAdd((poolKey, tls), static (_, state) =>
        {
            var c = state.Options.Client.With(state.source?.Address, state.source?.EhloName, state.tls);
            c.ConnectTimeout = state.shaping.ConnectTimeout;
            c.GreetingTimeout = state.shaping.CommandTimeout;
            c.CommandTimeout = state.shaping.CommandTimeout;
            c.DataBlockTimeout = state.shaping.DataTimeout;
            c.FinalDotTimeout = state.shaping.DataDoneTimeout;
            c.Username = state.credentials?.User;
            c.Password = state.credentials?.Password;
            return c;
        }, (Options, source, tls, shaping, credentials));
        return (poolKey, shaping, client);
    }
}
