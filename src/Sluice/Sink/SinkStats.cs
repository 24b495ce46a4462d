using Sluice.Core.Threading;

namespace Sluice.Sink;

/// <summary>Counters of a sink run, read by <c>GET /stats</c> and printed at exit.</summary>
internal sealed class SinkStats
{
    private long _connections;
    private long _currentConnections;
    private long _maxConcurrentConnections;
    private long _refusedConnections;
    private long _accepted;
    private long _refusedMessages;
    private long _dropped;
    private long _recipientsAccepted;
    private long _recipientsRefused;
    private long _bytes;

    public long Connections => Interlocked.Read(ref _connections);

    public long CurrentConnections => Interlocked.Read(ref _currentConnections);

    public long MaxConcurrentConnections => Interlocked.Read(ref _maxConcurrentConnections);

    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long RefusedMessages => Interlocked.Read(ref _refusedMessages);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long RecipientsAccepted => Interlocked.Read(ref _recipientsAccepted);

    public long RecipientsRefused => Interlocked.Read(ref _recipientsRefused);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Counts an opened connection and returns how many are open now.</summary>
    public long Opened()
    {
        Interlocked.Increment(ref _connections);
        var now = Interlocked.Increment(ref _currentConnections);
        AtomicBound.RaiseTo(ref _maxConcurrentConnections, now);
        return now;
    }

    public long Closed() => Interlocked.Decrement(ref _currentConnections);

    public void ConnectionRefused() => Interlocked.Increment(ref _refusedConnections);

    public void MessageAccepted(long bytes, int recipients)
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _recipientsAccepted, recipients);
    }

    public void MessageRefused() => Interlocked.Increment(ref _refusedMessages);

    public void MessageDropped() => Interlocked.Increment(ref _dropped);

    public void RecipientRefused() => Interlocked.Increment(ref _recipientsRefused);

    public object Snapshot() => new
    {
        connections = Connections,
        currentConnections = CurrentConnections,
        maxConcurrentConnections = MaxConcurrentConnections,
        refusedConnections = RefusedConnections,
        accepted = Accepted,
        refusedMessages = RefusedMessages,
        dropped = Dropped,
        recipientsAccepted = RecipientsAccepted,
        recipientsRefused = RecipientsRefused,
        bytes = Bytes,
    };
}
