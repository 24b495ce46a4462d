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
    private readonly TaskCompletionSource<JobResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MessageId Id { get; } = id;

    public string Domain { get; } = domain;

    public OutboundMessage Message { get; } = message;

    public Reputation.SenderIdentity Sender { get; } = sender ?? Reputation.SenderIdentity.Of(message.Envelope);

    /// <summary>Set when a session was lost before any answer and the job went back to the head of its queue once.</summary>
    public bool RetriedAfterLoss { get; set; }

    public Task<JobResult> Completion => _done.Task;

    public void Complete(JobResult result) => _done.TrySetResult(result);
}
