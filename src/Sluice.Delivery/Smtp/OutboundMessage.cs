using Sluice.Core.Messages;

namespace Sluice.Delivery.Smtp;

/// <summary>A message to send as stored: envelope and a way to open its exact bytes.</summary>
public sealed record OutboundMessage(Envelope Envelope, long Size, Func<CancellationToken, ValueTask<Stream>> OpenContent)
{
    public IReadOnlyList<EnvelopeRecipient> Recipients => Envelope.Recipients;
}
