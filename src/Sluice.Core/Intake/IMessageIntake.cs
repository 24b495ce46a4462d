using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>
/// The intake stage as a receiving session sees it (SMTP here; the API uses <see cref="IntakeStage"/>
/// directly): room at MAIL, the policy's say at RCPT, and the durable store at the end of the data.
/// </summary>
public interface IMessageIntake
{
    /// <summary>Whether a message of <paramref name="bytes"/> (0: unknown) would be taken now (RFC 1870 §6's early 452).</summary>
    bool HasRoomFor(long bytes);

    /// <summary>
    /// Null when <paramref name="recipient"/> is accepted; otherwise why not. Answers from memory, on
    /// the session's synchronous path.
    /// </summary>
    /// <param name="mayRelay">Whether the submitter may send beyond the local domains (authenticated, or trusted on a relay listener).</param>
    /// <param name="sourceRouted">Whether the command carried an RFC 5321 §4.1.2 source route.</param>
    RecipientRefusal? CheckRecipient(string sender, EnvelopeRecipient recipient, bool mayRelay, bool sourceRouted);

    /// <summary>Makes a received message durable (its buffer already starts with the trace header).</summary>
    ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken);

    /// <summary>As the overload without <paramref name="notice"/>; the store tells it the durable moment where it can (<see cref="Queue.IDurableNotice"/>).</summary>
    ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, Queue.IDurableNotice? notice, CancellationToken cancellationToken)
        => StoreAsync(envelope, id, receivedAt, content, cancellationToken);
}
