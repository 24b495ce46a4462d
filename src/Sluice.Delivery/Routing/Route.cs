using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Routing;

/// <summary>Where a domain's mail goes: MX lookup, or a relay host and port.</summary>
internal sealed record Route(string? RelayHost, int RelayPort, TlsPolicy? Tls, string? EgressPool = null)
{
    public bool IsRelay => RelayHost is not null;
}
