using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>Told of every message the intake stage made durable (the delivery event log writes its Reception events).</summary>
public interface IReceptionLog
{
    void Received(Envelope envelope, MessageId id, DateTimeOffset receivedAt);
}
