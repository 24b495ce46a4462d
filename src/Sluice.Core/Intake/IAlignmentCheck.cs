using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>
/// Told of every message made durable with its From header and whether it was DKIM-signed, to judge
/// whether DMARC would pass for it (a warning, never a refusal). Must not block: the 250 waits for it.
/// </summary>
public interface IAlignmentCheck
{
    void Observe(Envelope envelope, MessageId id, string? fromHeader, bool dkimSigned);
}
