using System.Collections.Concurrent;

namespace Sluice.Delivery.Queues;

/// <summary>
/// The node-wide limits every ready queue shares: outbound connections open, and messages being
/// sent at once. A queue takes a connection slot only when it has mail and its window allows a
/// connection, and a sending slot only with a connection in hand, so mail waiting for its own
/// destination never holds capacity another destination could use.
/// </summary>
public sealed class DeliveryCapacity(int maxConnections, int maxSending) : IDisposable
{
    private readonly SemaphoreSlim _sending = new(maxSending, maxSending);
    private readonly ConcurrentQueue<ReadyQueue> _starved = new();
    private int _connections;

    public int MaxConnections { get; } = maxConnections;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>True while some queue waits for a connection slot: idle connections elsewhere should make room.</summary>
    public bool AnyStarved => !_starved.IsEmpty;

    public bool TryTakeConnection()
    {
        while (true)
        {
            var open = Volatile.Read(ref _connections);
            if (open >= MaxConnections)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _connections, open + 1, open) == open)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Gives a connection slot back and lets starved queues try again until one takes it (a queue
    /// served meanwhile takes nothing). Never called under a queue's lock.
    /// </summary>
    public void ReleaseConnection()
    {
        Interlocked.Decrement(ref _connections);
        while (Connections < MaxConnections && _starved.TryDequeue(out var queue))
        {
            queue.Pump();
        }
    }

    /// <summary>A queue that has mail and window but found no connection slot (registered once until pumped).</summary>
    public void Starved(ReadyQueue queue) => _starved.Enqueue(queue);

    public Task EnterSendAsync() => _sending.WaitAsync();

    public void ExitSend() => _sending.Release();

    public void Dispose() => _sending.Dispose();
}
