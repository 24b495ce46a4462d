using Sluice.Core.Messages;

namespace Sluice.Delivery.Smtp;

public sealed record RecipientOutcome(EnvelopeRecipient Recipient, DeliveryOutcome Outcome);
