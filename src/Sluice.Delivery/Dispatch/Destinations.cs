using Sluice.Delivery.Dns;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>Resolves a route to a <see cref="Destination"/>: the relay host's addresses, or the domain's MX hosts (RFC 5321 §5.1, RFC 7505 null MX).</summary>
internal sealed class Destinations(MxResolver dns)
{
    public async Task<Destination> ResolveAsync(DeliveryPolicy policy, string domain, Route route)
    {
        if (route.IsRelay)
        {
            var site = route.RelaySite;
            var (hosts, detail) = await dns.ResolveRelayAsync(route.RelayHost!, CancellationToken.None).ConfigureAwait(false);
            return hosts is not null
                ? new Destination(site, hosts, route.RelayPort, null)
                : new Destination(site, [], route.RelayPort, DeliveryOutcome.Transient("4.4.3", $"Relay host {route.RelayHost} does not resolve: {detail}"));
        }

        var mx = await dns.ResolveAsync(domain, CancellationToken.None).ConfigureAwait(false);
        return mx.Kind switch
        {
            MxResolutionKind.Hosts => new Destination(mx.Site, mx.Hosts, policy.Options.MxPort, null),
            MxResolutionKind.NullMx => new Destination(domain, [], 0, DeliveryOutcome.Permanent(556, "5.1.10", $"Domain {domain} does not accept mail (null MX, RFC 7505)")),
            MxResolutionKind.NoSuchDomain => new Destination(domain, [], 0, DeliveryOutcome.Permanent(550, "5.1.2", $"Bad destination domain {domain}: {mx.Detail}")),
            _ => new Destination(domain, [], 0, DeliveryOutcome.Transient("4.4.3", $"DNS lookup for {domain} failed: {mx.Detail}")),
        };
    }
}
