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
}
