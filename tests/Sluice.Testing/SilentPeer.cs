using System.Net;
using System.Net.Sockets;

namespace Sluice.Testing;

/// <summary>A black-holed peer: accepts TCP connections on an address and never says a word.</summary>
public sealed class SilentPeer : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _held = [];
    private int _accepted;

    public SilentPeer(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(endpoint);
        _listener.Listen(256);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public void Dispose()
    {
        _listener.Dispose();
        lock (_held)
        {
            _held.ForEach(s => s.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync().ConfigureAwait(false);
                Interlocked.Increment(ref _accepted);
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
