using Sluice.Core.Messages;

namespace Sluice.Delivery.Dispatch;

/// <summary>The recipients of one message at one domain: what one ready queue gets.</summary>
internal sealed record DomainGroup(string Domain, List<EnvelopeRecipient> Recipients);
