using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>
/// Where the intake stage makes a finished message durable: the node's queue, or the capture store
/// of <c>sluice sink</c>. Completing with <see cref="EnqueueResult.Stored"/> is the licence to answer
/// 250 or 202.
/// </summary>
public interface IMessageStore
{
    /// <summary>
    /// Whether a message of <paramref name="bytes"/> (0: size unknown) would be taken now, asked
    /// before it is received (at MAIL, before the API builds it) so that a spool short of space
    /// refuses early instead of after the transfer.
    /// </summary>
    bool HasRoomFor(long bytes) => true;

    ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="EnqueueAsync(Envelope, MessageId, DateTimeOffset, MessageBuffer, CancellationToken)"/>; a store that
    /// knows the durable moment on a thread of its own tells <paramref name="notice"/> there first. The
    /// others ignore it (the task's completion is then the only word).
    /// </summary>
    ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, IDurableNotice? notice, CancellationToken cancellationToken)
        => EnqueueAsync(envelope, id, receivedAt, content, cancellationToken);
}
