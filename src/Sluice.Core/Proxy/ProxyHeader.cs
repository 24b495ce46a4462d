using System.Net;

namespace Sluice.Core.Proxy;

/// <summary>
/// What a PROXY protocol header said: the original client (<see cref="Source"/>) and the address it
/// connected to, or a LOCAL connection (the proxy's own, e.g. a health check) with no addresses.
/// </summary>
public sealed record ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination)
{
    public bool IsLocal => Source is null;

    public static ProxyHeader Local { get; } = new(null, null);
}
