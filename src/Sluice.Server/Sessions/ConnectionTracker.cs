using System.Collections.Concurrent;
using System.Net;

namespace Sluice.Server.Sessions;

/// <summary>
/// Open connections per listener, total and per client address, for the connection limits, and
/// whether the listener is under stress (past its high-water mark).
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _total;
    private int _clients;
    private int _stressed;

    public int Total => Volatile.Read(ref _total);

    /// <summary>Between <see cref="EnterStress"/> and <see cref="LeaveStress"/>.</summary>
    public bool Stressed => Volatile.Read(ref _stressed) == 1;

    /// <summary>Distinct client addresses connected now.</summary>
    public int Clients => Volatile.Read(ref _clients);

    /// <summary>
    /// Takes a slot, or says which limit is full (null when admitted). Past
    /// <paramref name="stressAt"/> connections an address that is not <paramref name="exempt"/> gets
    /// at most its fair share, <paramref name="maxTotal"/> divided among the connected addresses and
    /// one more, so that one newcomer always fits: a few addresses cannot take the last slots from
    /// everyone else before the global limit is reached.
    /// </summary>
    public AdmissionRefusal? TryAdmit(IPAddress client, int maxTotal, int maxPerClient, int stressAt, bool exempt)
    {
        var total = Interlocked.Increment(ref _total);
        if (total > maxTotal)
        {
            Interlocked.Decrement(ref _total);
            return AdmissionRefusal.Total;
        }

        var count = Increment(client);
        if (exempt)
        {
            return null;
        }

        if (count > maxPerClient)
        {
            Release(client);
            return AdmissionRefusal.PerClient;
        }

        if (total > stressAt && count > Math.Max(1, maxTotal / (Clients + 1)))
        {
            Release(client);
            return AdmissionRefusal.FairShare;
        }

        return null;
    }

    /// <summary>True once as the count passes <paramref name="stressAt"/>: the caller enters stress mode.</summary>
    public bool EnterStress(int stressAt) => Total > stressAt && Interlocked.CompareExchange(ref _stressed, 1, 0) == 0;

    /// <summary>
    /// True once as the count falls to nine tenths of <paramref name="stressAt"/> (a margin, so a
    /// listener hovering at the mark does not flap): the caller leaves stress mode.
    /// </summary>
    public bool LeaveStress(int stressAt) => Total <= stressAt - (stressAt / 10) && Interlocked.CompareExchange(ref _stressed, 0, 1) == 1;

    public void Release(IPAddress client)
    {
        Interlocked.Decrement(ref _total);
        while (_perClient.TryGetValue(client, out var n))
        {
            if (n <= 1)
            {
                if (_perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, n)))
                {
                    Interlocked.Decrement(ref _clients);
                    return;
                }
            }
            else if (_perClient.TryUpdate(client, n - 1, n))
            {
                return;
            }
        }
    }

    private int Increment(IPAddress client)
    {
        while (true)
        {
            if (_perClient.TryGetValue(client, out var n))
            {
                if (_perClient.TryUpdate(client, n + 1, n))
                {
                    return n + 1;
                }
            }
            else if (_perClient.TryAdd(client, 1))
            {
                Interlocked.Increment(ref _clients);
                return 1;
            }
        }
    }
}
