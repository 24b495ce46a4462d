using Sluice.Core.Messages;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// One domain's recipients of one leased message, waiting in a ready queue. It holds metadata
/// only: the body is opened when a connection is ready to send it. <see cref="Sender"/> is who sent
/// the message as reputation counts it (the envelope may carry a VERP return path instead).
/// </summary>
public sealed class DeliveryJob(MessageId id, string domain, OutboundMessage message, Reputation.SenderIdentity? sender = null)
{
    // Continuations run where the job is completed only through CompleteInline; Complete queues the
    // result to the thread pool itself, because most of its callers hold a ready queue's lock.
    private readonly TaskCompletionSource<JobResult> _done = new();

    public MessageId Id { get; } = id;

    public string Domain { get; } = domain;

    public OutboundMessage Message { get; } = message;

    public Reputation.SenderIdentity Sender { get; } = sender ?? Reputation.SenderIdentity.Of(message.Envelope);

    /// <summary>Set when a session was lost before any answer and the job went back to the head of its queue once.</summary>
    public bool RetriedAfterLoss { get; set; }

    public Task<JobResult> Completion => _done.Task;

    /// <summary>Completes the job; whoever waits for it continues on the thread pool, never inside the caller (which may hold a lock).</summary>
    public void Complete(JobResult result)
        => ThreadPool.UnsafeQueueUserWorkItem(static s => s.Done.TrySetResult(s.Result), (Done: _done, Result: result), preferLocal: false);

    /// <summary>
    /// Completes the job and runs its waiter's continuation (the message's settlement, up to its
    /// acknowledgement's write) on this thread before returning. For a connection's worker after
    /// the next hop answered, holding no lock: a hand-off to another thread per message costs more
    /// than the settlement itself (ADR 0038).
    /// </summary>
    public void CompleteInline(JobResult result) => _done.TrySetResult(result);
}
