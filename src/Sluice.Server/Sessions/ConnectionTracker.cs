using System.Collections.Concurrent;
using System.Net;

namespace Sluice.Server.Sessions;

/// <summary>Open connections per listener, total and per client IP, for the connection limits.</summary>
internal sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    /// <summary>Takes a slot, or says which limit is full (null when admitted).</summary>
    public string? TryAdmit(IPAddress client, int maxTotal, int maxPerClient)
    {
        if (Interlocked.Increment(ref _total) > maxTotal)
        {
            Interlocked.Decrement(ref _total);
            return "total";
        }

        var count = _perClient.AddOrUpdate(client, 1, static (_, n) => n + 1);
        if (count > maxPerClient)
        {
            Release(client);
            return "per-client";
        }

        return null;
    }

    public void Release(IPAddress client)
    {
        Interlocked.Decrement(ref _total);
        while (_perClient.TryGetValue(client, out var n))
        {
            if (n <= 1 ? _perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, n)) : _perClient.TryUpdate(client, n - 1, n))
            {
                return;
            }
        }
    }
}
