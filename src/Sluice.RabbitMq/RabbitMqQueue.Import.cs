using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

public sealed partial class RabbitMqQueue
{
    /// <summary>
    /// Takes a message from elsewhere (a node's embedded spool, when it moves into the cluster) with
    /// its attempts, next attempt and last reply: due now or waiting in the retry tier that suits it.
    /// True once the brokers confirmed it; false when they cannot be reached (the caller keeps it).
    /// </summary>
    public async ValueTask<bool> ImportAsync(QueueEntry entry, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_session is not { } session)
        {
            return false;
        }

        var properties = ClusterMessage.Properties(entry.Id, entry.Envelope, entry.ReceivedAt, entry.Attempts, entry.NextAttemptAt, entry.LastReply);
        var queue = QueueNames.TierFor(entry.NextAttemptAt - _time.GetUtcNow()) is { } tier
            ? QueueNames.RetryTier(tier)
            : QueueNames.Shard(QueueNames.ShardOf(entry.Id.Value, _options.Shards));
        return await PublishAsync(session, queue, properties, body, "import", cancellationToken).ConfigureAwait(false);
    }
}
