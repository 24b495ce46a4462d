using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Routing;

/// <summary>Where a domain's mail goes: MX lookup, a relay host and port, or a balanced relay pool.</summary>
public sealed record Route(string? RelayHost, int RelayPort, TlsPolicy? Tls, string? EgressPool = null, string? Pool = null)
{
    public bool IsRelay => RelayHost is not null;

    public bool IsPool => Pool is not null;

    /// <summary>The site name of a relay route, made once per route rather than per message.</summary>
    public string RelaySite { get; } = RelayHost is null ? string.Empty : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"relay:{RelayHost}:{RelayPort}");
}
