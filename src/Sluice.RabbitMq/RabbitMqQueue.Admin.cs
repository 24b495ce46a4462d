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
                    return ValueTask.FromResult<string?>(entry is not null && Matches(entry, filter, state) ? QueueNames.Due : StayIn(queue, entry, now));
                },
                dueNow: true,
                cancellationToken).ConfigureAwait(false);
        }

        return moved;
    }

    /// <summary>Removes matching deferred, held and dead-lettered messages (not those due now or in flight); with a dry run only counts them.</summary>
    public async ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken)
    {
        var (matched, removed) = await PassAsync(filter, (_, _) => ValueTask.FromResult<bool?>(!dryRun), cancellationToken).ConfigureAwait(false);
        return dryRun ? matched : removed;
    }

    /// <summary>
    /// One pass through the messages that wait (deferred, held, dead-lettered), cluster-wide: each
    /// matching one is handed with its stored bytes to <paramref name="settle"/> and dropped when it
    /// says so; the first refusal leaves that message where it was and ends the pass. What settle
    /// queues goes to a due queue, so the same pass never meets it.
    /// </summary>
    public async ValueTask<long> SettleWaitingAsync(QueueFilter filter, Func<QueueEntry, Stream, ValueTask<bool>> settle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settle);
        var (_, removed) = await PassAsync(
            filter,
            async (entry, got) =>
            {
                using var content = new MemoryStream(got.Body.ToArray(), writable: false);
                return await settle(entry, content).ConfigureAwait(false) ? true : null;
            },
            cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>
    /// Takes every waiting message once: a matching one is removed when <paramref name="decide"/>
    /// says true, put back when false, and put back with the rest of the pass left alone when null.
    /// </summary>
    private async ValueTask<(long Matched, long Removed)> PassAsync(QueueFilter filter, Func<QueueEntry, BasicGetResult, ValueTask<bool?>> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (_session is not { } session)
        {
            return (0, 0);
        }

        long matched = 0, removed = 0;
        var stopped = false;
        var now = _time.GetUtcNow();
        foreach (var (queue, state) in WaitingQueues(includeDead: true))
        {
            var count = await CountAsync(session, queue, cancellationToken).ConfigureAwait(false);
            await MoveAsync(
                session,
                queue,
                (int)Math.Min(count, int.MaxValue),
                async got =>
                {
                    var entry = Entry(got, state);
                    if (stopped || entry is null || !Matches(entry, filter, state))
                    {
                        return StayIn(queue, entry, now);
                    }

                    matched++;
                    switch (await decide(entry, got).ConfigureAwait(false))
                    {
                        case true:
                            removed++;
                            return null;
                        case null:
                            stopped = true;
                            break;
                    }

                    return StayIn(queue, entry, now);
                },
                dueNow: false,
                cancellationToken).ConfigureAwait(false);
            if (stopped)
            {
                break;
            }
        }

        return (matched, removed);
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
