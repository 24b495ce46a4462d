using RabbitMQ.Client;

namespace Sluice.RabbitMq;

/// <summary>
/// Declares the cluster queue's queues (idempotent: every node declares them at connect). Quorum
/// queues throughout, so that a message confirmed to its sender is on a majority of the brokers.
/// Retry tiers hold a message for their TTL and then dead-letter it into <see cref="QueueNames.Due"/>
/// at least once (the at-least-once strategy needs reject-publish overflow): a broker failing over
/// during the move can duplicate a message but never drop it.
/// </summary>
internal static class QueueTopology
{
    private static readonly TimeSpan HoldQueueIdle = TimeSpan.FromDays(7);

    public static async Task DeclareAsync(IChannel channel, int shards, CancellationToken cancellationToken)
    {
        for (var shard = 0; shard < shards; shard++)
        {
            await DeclareQuorumAsync(channel, QueueNames.Shard(shard), null, cancellationToken).ConfigureAwait(false);
        }

        await DeclareQuorumAsync(channel, QueueNames.Due, null, cancellationToken).ConfigureAwait(false);
        await DeclareQuorumAsync(channel, QueueNames.Dead, null, cancellationToken).ConfigureAwait(false);
        foreach (var seconds in QueueNames.RetryTierSeconds)
        {
            await DeclareQuorumAsync(
                channel,
                QueueNames.RetryTier(seconds),
                new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["x-message-ttl"] = seconds * 1000,
                    ["x-dead-letter-exchange"] = string.Empty,
                    ["x-dead-letter-routing-key"] = QueueNames.Due,
                    ["x-dead-letter-strategy"] = "at-least-once",
                    ["x-overflow"] = "reject-publish",
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A hold key's queue; removed by the brokers after a week unused.</summary>
    public static Task DeclareHoldAsync(IChannel channel, string queue, CancellationToken cancellationToken)
        => DeclareQuorumAsync(channel, queue, new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-expires"] = (long)HoldQueueIdle.TotalMilliseconds }, cancellationToken);

    private static async Task DeclareQuorumAsync(IChannel channel, string queue, Dictionary<string, object?>? extra, CancellationToken cancellationToken)
    {
        var arguments = extra ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        arguments["x-queue-type"] = "quorum";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
