using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Routing;

/// <summary>One routing rule: mail for <see cref="Domain"/> ("*" for everything) goes to a fixed smarthost instead of MX.</summary>
public sealed class RouteOptions
{
    public string Domain { get; set; } = "*";

    /// <summary>HOST:PORT of the smarthost; null means MX delivery for this domain (overriding a "*" relay).</summary>
    public string? Relay { get; set; }

    /// <summary>Name of a relay pool (Delivery:Pools) to send this domain's mail through, balanced and failed over; excludes <see cref="Relay"/>.</summary>
    public string? Pool { get; set; }

    /// <summary>Egress pool to send this domain's mail from; null uses Delivery:Egress:DefaultPool.</summary>
    public string? EgressPool { get; set; }

    /// <summary>TLS policy for this destination; null keeps the client default.</summary>
    public TlsPolicy? Tls { get; set; }
}
