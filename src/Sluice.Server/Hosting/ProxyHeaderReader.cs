using System.Net.Sockets;
using Sluice.Core.Proxy;

namespace Sluice.Server.Hosting;

/// <summary>Reads the PROXY header a trusted balancer sends before anything else on the connection.</summary>
internal static class ProxyHeaderReader
{
    /// <summary>A balancer sends its header at once; a connection that does not within this long is not one.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The header and whatever followed it in the same reads; null when the peer sent no valid header in time.</summary>
    public static async Task<(ProxyHeader Header, ReadOnlyMemory<byte> Remainder)?> ReadAsync(Socket socket, TimeProvider time)
    {
        var buffer = new byte[ProxyProtocol.MaxV2Length];
        var filled = 0;
        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            while (filled < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return null;
                }

                filled += n;
                switch (ProxyProtocol.TryParse(buffer.AsSpan(0, filled), out var header, out var consumed))
                {
                    case ProxyParseStatus.Done:
                        return (header!, buffer.AsMemory(consumed, filled - consumed));
                    case ProxyParseStatus.Invalid:
                        return null;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone or silent: not a balancer we can serve.
        }

        return null;
    }
}
