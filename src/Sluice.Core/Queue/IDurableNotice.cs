namespace Sluice.Core.Queue;

/// <summary>
/// Told by a store the moment a message is durable, on the store's own thread and before the task
/// of <see cref="IMessageStore.EnqueueAsync(Messages.Envelope, Messages.MessageId, DateTimeOffset, Messages.MessageBuffer, IDurableNotice?, CancellationToken)"/>
/// completes. An SMTP session answers 250 from here instead of waiting until a thread runs its
/// continuation. It must return at once and never throw; a store that cannot tell earlier than its
/// task never calls it.
/// </summary>
public interface IDurableNotice
{
    void Durable();
}
