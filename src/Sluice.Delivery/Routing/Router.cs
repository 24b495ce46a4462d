using System.Globalization;

namespace Sluice.Delivery.Routing;

/// <summary>Picks the route for a domain: the most specific rule wins (exact domain, then "*"), else MX.</summary>
public sealed class Router
{
    private static readonly Route Mx = new(null, 0, null);
    private readonly Dictionary<string, Route> _byDomain = new(StringComparer.OrdinalIgnoreCase);
    private readonly Route _default = Mx;

    public Router(IEnumerable<RouteOptions> routes, string? relayHost)
    {
        foreach (var rule in routes)
        {
            var route = (rule.Relay is null ? Mx with { Tls = rule.Tls } : Parse(rule.Relay, rule.Tls)) with { EgressPool = rule.EgressPool, Pool = rule.Pool };
            if (rule.Domain == "*")
            {
                _default = route;
            }
            else
            {
                _byDomain[rule.Domain.TrimEnd('.')] = route;
            }
        }

        if (relayHost is not null)
        {
            _default = Parse(relayHost, _default.Tls);
        }
    }

    public Route For(string domain) => _byDomain.TryGetValue(domain, out var route) ? route : _default;

    /// <summary>HOST:PORT, [IPv6]:PORT, or HOST (port 25).</summary>
    public static Route Parse(string relay, Smtp.TlsPolicy? tls)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return Core.Net.HostPort.TryParse(relay, 25, out var target)
            ? new Route(target.Host, target.Port, tls)
            : throw new FormatException($"'{relay}' is not HOST:PORT");
    }
}
