using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

public sealed partial class RabbitMqQueue
{
    /// <summary>
    /// Counts from the brokers (what every node sees): due messages in the shards, deferred ones in
    /// the retry tiers, held ones in the hold queues this node knows, dead letters; in flight is what
    /// this node holds. Counts by destination cover only this node's messages in hand.
    /// </summary>
    public async ValueTask<QueueSummary> GetSummaryAsync(CancellationToken cancellationToken)
    {
        var byState = new Dictionary<string, long>(StringComparer.Ordinal);
        var byDomain = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        void Add(QueueMessageState state, long count)
        {
            if (count > 0)
            {
                var name = QueueStateNames.Name(state);
                byState[name] = byState.GetValueOrDefault(name) + count;
                total += count;
            }
        }

        if (_session is { } session)
        {
            foreach (var queue in DueQueues())
            {
                Add(QueueMessageState.Queued, await CountAsync(session, queue, cancellationToken).ConfigureAwait(false));
            }

            foreach (var seconds in QueueNames.RetryTierSeconds)
            {
                Add(QueueMessageState.Queued, await CountAsync(session, QueueNames.RetryTier(seconds), cancellationToken).ConfigureAwait(false));
            }

            foreach (var queue in _holdQueues.Keys)
            {
                Add(QueueMessageState.Held, await CountAsync(session, queue, cancellationToken).ConfigureAwait(false));
            }

            Add(QueueMessageState.DeadLetter, await CountAsync(session, QueueNames.Dead, cancellationToken).ConfigureAwait(false));
        }

        DateTimeOffset? oldest = null;
        foreach (var message in _inHand.Values)
        {
            Add(QueueMessageState.InFlight, 1);
            oldest = oldest is null || message.Entry.ReceivedAt < oldest ? message.Entry.ReceivedAt : oldest;
            foreach (var domain in Domains(message.Entry))
            {
                byDomain[domain] = byDomain.GetValueOrDefault(domain) + 1;
            }
        }

        return new QueueSummary(total, byState, byDomain, oldest);
    }

    /// <summary>This node's messages in hand, in id order (the brokers cannot be browsed without taking messages).</summary>
    public ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matching = new List<QueueEntry>();
        foreach (var message in _inHand.Values)
        {
            if (Matches(message.Entry, filter, QueueMessageState.InFlight) && (cursor is null || string.CompareOrdinal(message.Entry.Id.Value, cursor) > 0))
            {
                matching.Add(message.Entry);
            }
        }

        matching.Sort((a, b) => string.CompareOrdinal(a.Id.Value, b.Id.Value));
        var page = matching.Count > limit ? matching.GetRange(0, limit) : matching;
        return ValueTask.FromResult(new QueuePage(page, matching.Count > limit ? page[^1].Id.Value : null));
    }

    /// <summary>Retry now: matching deferred and held messages move to due, cluster-wide; the others keep waiting for what is left of their wait.</summary>
    public async ValueTask<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (_session is not { } session)
        {
            return 0;
        }

        long moved = 0;
        var now = _time.GetUtcNow();
        foreach (var (queue, state) in WaitingQueues())
        {
            var count = await CountAsync(session, queue, cancellationToken).ConfigureAwait(false);
            moved += await MoveAsync(
                session,
                queue,
                (int)Math.Min(count, int.MaxValue),
                got =>
                {
                    var entry = Entry(got, state);
                    return entry is not null && Matches(entry, filter, state) ? QueueNames.Due : StayIn(queue, entry, now);
                },
                dueNow: true,
                cancellationToken).ConfigureAwait(false);
        }

        return moved;
    }

    /// <summary>Removes matching deferred, held and dead-lettered messages (not those due now or in flight); with a dry run only counts them.</summary>
    public async ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (_session is not { } session)
        {
            return 0;
        }

        long deleted = 0;
        var now = _time.GetUtcNow();
        foreach (var (queue, state) in WaitingQueues(includeDead: true))
        {
            var count = await CountAsync(session, queue, cancellationToken).ConfigureAwait(false);
            await MoveAsync(
                session,
                queue,
                (int)Math.Min(count, int.MaxValue),
                got =>
                {
                    var entry = Entry(got, state);
                    if (entry is not null && Matches(entry, filter, state))
                    {
                        deleted++;
                        return dryRun ? StayIn(queue, entry, now) : null;
                    }

                    return StayIn(queue, entry, now);
                },
                dueNow: false,
                cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private static QueueEntry? Entry(BasicGetResult got, QueueMessageState state) => ClusterMessage.Read(got.BasicProperties, got.Body.Length, state);

    /// <summary>Where a message that is not touched goes back to: a deferred one to the tier that suits what is left of its wait.</summary>
    private static string StayIn(string queue, QueueEntry? entry, DateTimeOffset now)
        => entry is not null && queue.StartsWith("sluice.retry.", StringComparison.Ordinal)
            ? QueueNames.TierFor(entry.NextAttemptAt - now) is { } tier ? QueueNames.RetryTier(tier) : QueueNames.Due
            : queue;

    private static bool Matches(QueueEntry entry, QueueFilter filter, QueueMessageState state)
    {
        if ((filter.Id is { } id && id != entry.Id) || (filter.State is { } wanted && wanted != state))
        {
            return false;
        }

        if (filter.Domain is not { } domain)
        {
            return true;
        }

        foreach (var candidate in Domains(entry))
        {
            if (string.Equals(candidate, domain, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> Domains(QueueEntry entry)
    {
        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var recipient in entry.Envelope.Recipients)
        {
            domains.Add(recipient.Domain);
        }

        return domains;
    }

    private IEnumerable<string> DueQueues()
    {
        for (var shard = 0; shard < _options.Shards; shard++)
        {
            yield return QueueNames.Shard(shard);
        }

        yield return QueueNames.Due;
    }

    private IEnumerable<(string Queue, QueueMessageState State)> WaitingQueues(bool includeDead = false)
    {
        foreach (var seconds in QueueNames.RetryTierSeconds)
        {
            yield return (QueueNames.RetryTier(seconds), QueueMessageState.Queued);
        }

        foreach (var queue in _holdQueues.Keys)
        {
            yield return (queue, QueueMessageState.Held);
        }

        if (includeDead)
        {
            yield return (QueueNames.Dead, QueueMessageState.DeadLetter);
        }
    }

    private static async Task<long> CountAsync(Session session, string queue, CancellationToken cancellationToken)
        => (await ProbeAsync(session, queue, cancellationToken).ConfigureAwait(false))?.MessageCount ?? 0;

    /// <summary>
    /// A queue's counts (messages, consumers) from the brokers, or null when there is no such queue.
    /// Asked on a throw-away channel: a passive declare of a missing queue closes its channel.
    /// </summary>
    private static async Task<QueueDeclareOk?> ProbeAsync(Session session, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return await probe.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }
}
