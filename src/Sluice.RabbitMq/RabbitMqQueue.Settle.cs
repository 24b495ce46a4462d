using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sluice.Core.Messages;

namespace Sluice.RabbitMq;

public sealed partial class RabbitMqQueue
{
    public async ValueTask<bool> AckAsync(MessageId id, CancellationToken cancellationToken)
        => _inHand.TryGetValue(id, out var message) && await SettleAsync(message, cancellationToken).ConfigureAwait(false);

    /// <summary>Published to the retry tier that suits the wait (or straight to due), confirmed, then the delivery acked: never in no queue at all.</summary>
    public async ValueTask<bool> DeferAsync(MessageId id, DateTimeOffset until, string? lastReply, Envelope? remaining, CancellationToken cancellationToken)
    {
        if (!Holding(id, out var message, out var session))
        {
            return false;
        }

        var entry = message.Entry;
        var properties = ClusterMessage.Properties(id, remaining ?? entry.Envelope, entry.ReceivedAt, entry.Attempts + 1, until, lastReply);
        var queue = QueueNames.TierFor(until - _time.GetUtcNow()) is { } tier ? QueueNames.RetryTier(tier) : QueueNames.Due;
        return await PublishAsync(session, queue, properties, message.Body, "defer", cancellationToken).ConfigureAwait(false)
            && await SettleAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> HoldAsync(MessageId id, string holdKey, Envelope? remaining, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holdKey);
        if (!Holding(id, out var message, out var session))
        {
            return false;
        }

        var queue = await HoldQueueAsync(session, holdKey, create: true, cancellationToken).ConfigureAwait(false);
        var entry = message.Entry;
        var properties = ClusterMessage.Properties(id, remaining ?? entry.Envelope, entry.ReceivedAt, entry.Attempts, entry.NextAttemptAt, entry.LastReply, holdKey);
        return queue is not null
            && await PublishAsync(session, queue, properties, message.Body, "hold", cancellationToken).ConfigureAwait(false)
            && await SettleAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeadLetterAsync(MessageId id, string? lastReply, CancellationToken cancellationToken)
    {
        if (!Holding(id, out var message, out var session))
        {
            return false;
        }

        var entry = message.Entry;
        var properties = ClusterMessage.Properties(id, entry.Envelope, entry.ReceivedAt, entry.Attempts, entry.NextAttemptAt, lastReply ?? entry.LastReply);
        return await PublishAsync(session, QueueNames.Dead, properties, message.Body, "dead-letter", cancellationToken).ConfigureAwait(false)
            && await SettleAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves up to <paramref name="max"/> messages held under the key back to due, oldest first; cluster-wide (every node's holds are in the brokers).</summary>
    public async ValueTask<long> ReleaseHeldAsync(string holdKey, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holdKey);
        if (_session is not { } session || await HoldQueueAsync(session, holdKey, create: false, cancellationToken).ConfigureAwait(false) is not { } queue)
        {
            return 0;
        }

        return await MoveAsync(session, queue, max, _ => ValueTask.FromResult<string?>(QueueNames.Due), dueNow: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This node holds the message, on the connection that is still open: it may settle it.</summary>
    private bool Holding(MessageId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out InHand? message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Session? session)
    {
        session = _session;
        return _inHand.TryGetValue(id, out message) && session is not null && session.Generation == message.Generation;
    }

    /// <summary>Acks a delivery on the channel it came on; false when that connection is gone (the brokers already gave it back).</summary>
    private async Task<bool> SettleAsync(InHand message, CancellationToken cancellationToken)
    {
        if (!_inHand.TryRemove(new KeyValuePair<MessageId, InHand>(message.Entry.Id, message)) || _session is not { } session || session.Generation != message.Generation)
        {
            return false;
        }

        try
        {
            await session.Consume.BasicAckAsync(message.Tag, multiple: false, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            return false;
        }
    }

    /// <summary>The hold key's queue; declared on first use (create), else looked up: null when there is none.</summary>
    private async Task<string?> HoldQueueAsync(Session session, string holdKey, bool create, CancellationToken cancellationToken)
    {
        var queue = QueueNames.Hold(holdKey);
        if (_holdQueues.ContainsKey(queue))
        {
            return queue;
        }

        await session.AdminLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (create)
            {
                await QueueTopology.DeclareHoldAsync(session.Admin, queue, cancellationToken).ConfigureAwait(false);
            }
            else if (await ProbeAsync(session, queue, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            _holdQueues[queue] = true;
            return queue;
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
        finally
        {
            session.AdminLock.Release();
        }
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> messages from <paramref name="queue"/> (oldest first) and
    /// publishes each where <paramref name="route"/> says (null: delete it), confirmed before the
    /// take is acked. Returns how many went where the route sent them other than back to their own queue.
    /// With <paramref name="dueNow"/>, a message sent to due is due now (retry now), whatever its next attempt said.
    /// </summary>
    private async Task<long> MoveAsync(Session session, string queue, int max, Func<BasicGetResult, ValueTask<string?>> route, bool dueNow, CancellationToken cancellationToken)
    {
        long moved = 0;
        await session.AdminLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < max; i++)
            {
                var got = await session.Admin.BasicGetAsync(queue, autoAck: false, cancellationToken).ConfigureAwait(false);
                if (got is null)
                {
                    break;
                }

                var target = await route(got).ConfigureAwait(false);
                var properties = new BasicProperties(got.BasicProperties);
                if (dueNow && target == QueueNames.Due)
                {
                    ClusterMessage.DueAt(properties, _time.GetUtcNow());
                }

                if (target is null || await PublishAsync(session, target, properties, got.Body, "move", cancellationToken).ConfigureAwait(false))
                {
                    await session.Admin.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
                    moved += target == queue ? 0 : 1;
                }
                else
                {
                    await session.Admin.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true, cancellationToken).ConfigureAwait(false);
                    break;
                }
            }
        }
        finally
        {
            session.AdminLock.Release();
        }

        return moved;
    }
}
