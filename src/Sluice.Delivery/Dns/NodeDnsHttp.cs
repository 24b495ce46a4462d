using System.Net;
using System.Net.Sockets;

namespace Sluice.Delivery.Dns;

/// <summary>
/// HTTP clients whose names resolve through the node's own DNS settings (the resolver MX lookups
/// use), not the system's: MTA-STS policy fetches and TLS report posts go to names that live in the
/// same DNS as the mail they are about. No redirects are followed.
/// </summary>
public static class NodeDnsHttp
{
    public static HttpClient Create(MxResolver dns, TimeSpan timeout, int maxResponseBytes)
    {
        ArgumentNullException.ThrowIfNull(dns);
        return new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(dns, context, cancellationToken),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = maxResponseBytes,
        };
    }

    private static async ValueTask<Stream> ConnectAsync(MxResolver dns, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var resolved = await dns.ResolveHostAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        foreach (var host in resolved.Hosts)
        {
            foreach (var address in host.Addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
            }
        }

        throw new HttpRequestException($"{context.DnsEndPoint.Host} {(resolved.Hosts.Count == 0 ? "does not resolve" : "refused the connection")}", last);
    }
}
