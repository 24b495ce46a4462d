using System.Collections.Concurrent;

namespace Sluice.Delivery.Queues;

/// <summary>
/// Every live ready queue by key. A queue is made when mail for its key arrives and retired by
/// the reaper once it is empty with no connection left, so memory follows the destinations in
/// use, not every destination ever seen.
/// </summary>
public sealed class ReadyQueues(ReadyQueueContext context) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<QueueKey, ReadyQueue> _queues = new();
    private volatile bool _stopping;

    public int Count => _queues.Count;

    /// <summary>Hands a job to its key's queue; completes when it was sent, could not be, or was held back.</summary>
    public Task<JobResult> SubmitAsync(QueueKey key, QueuePlan plan, DeliveryJob job)
    {
        while (true)
        {
            if (_stopping)
            {
                // Nothing new starts while the node stops: held until the next open.
                return Task.FromResult(JobResult.Held(HoldKey.Stopping, null));
            }

            var queue = _queues.GetOrAdd(key, static (k, state) => new ReadyQueue(k, state.plan, state.context), (plan, context));
            queue.Update(plan);
            if (queue.TrySubmit(job))
            {
                return job.Completion;
            }

            // Retired by the reaper between the lookup and the submit: a fresh queue takes over.
            _queues.TryRemove(new KeyValuePair<QueueKey, ReadyQueue>(key, queue));
        }
    }

    /// <summary>An operator suspended <paramref name="destination"/>: waiting mail for it is held now, not after its turn.</summary>
    public void HoldWaitingFor(string destination)
    {
        foreach (var queue in _queues.Values)
        {
            queue.HoldWaitingFor(destination);
        }
    }

    /// <summary>Waiting jobs of every queue that <paramref name="match"/> are handed back under <paramref name="key"/> (a sender was paused); <paramref name="afterHold"/>: see <see cref="JobResult.AfterHold"/>.</summary>
    public void HoldWaiting(Func<DeliveryJob, bool> match, HoldKey key, Func<ValueTask>? afterHold)
    {
        foreach (var queue in _queues.Values)
        {
            queue.HoldWaiting(match, key, afterHold);
        }
    }

    /// <summary>The destination at <paramref name="site"/> is back (its pool member passed a probe): its queues stop resting now.</summary>
    public void EndRests(string site)
    {
        foreach (var (key, queue) in _queues)
        {
            if (string.Equals(key.Site, site, StringComparison.Ordinal))
            {
                queue.EndRestEarly();
            }
        }
    }

    public List<ReadyQueueState> States()
    {
        var states = new List<ReadyQueueState>(_queues.Count);
        foreach (var queue in _queues.Values)
        {
            states.Add(queue.State());
        }

        return states;
    }

    /// <summary>Closes idle connections past their time and retires empty queues (the engine calls this every second).</summary>
    public async Task ReapAsync()
    {
        var makeRoom = context.Capacity.AnyStarved;
        foreach (var (key, queue) in _queues)
        {
            if (await queue.ReapAsync(makeRoom).ConfigureAwait(false))
            {
                _queues.TryRemove(new KeyValuePair<QueueKey, ReadyQueue>(key, queue));
            }
        }
    }

    /// <summary>Stopping: waiting jobs are handed back (held until the next open), then idle connections close.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var queue in _queues.Values)
        {
            queue.HoldAllWaiting(HoldKey.Stopping);
        }

        foreach (var queue in _queues.Values)
        {
            await queue.ReapAsync(makeRoom: true).ConfigureAwait(false);
        }
    }
}
