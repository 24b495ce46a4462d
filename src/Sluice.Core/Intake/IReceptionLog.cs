using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>Told of every message the intake stage made durable, and of every recipient it refused as suppressed (the delivery event log writes their events).</summary>
public interface IReceptionLog
{
    /// <param name="subject">The Subject header as it appears in the message (unfolded, still RFC 2047 encoded), if any.</param>
    void Received(Envelope envelope, MessageId id, DateTimeOffset receivedAt, long size, string? subject);

    /// <param name="id">The message's id; null when refused at RCPT, before the message had one.</param>
    void Suppressed(string sender, string recipient, MessageId? id, string reason);
}
