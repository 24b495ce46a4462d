using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>
/// Where a receiving session hands a finished message: the node's queue, or the capture store of
/// <c>sluice sink</c>. Completing with <see cref="EnqueueResult.Stored"/> is the licence to answer 250.
/// </summary>
public interface IMessageIntake
{
    ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken);
}
