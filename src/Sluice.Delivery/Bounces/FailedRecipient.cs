using Sluice.Core.Messages;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Bounces;

/// <summary>A recipient that failed for good, with the reply and the host that gave it (if any).</summary>
public sealed record FailedRecipient(EnvelopeRecipient Recipient, DeliveryOutcome Outcome, string? RemoteMta, DateTimeOffset LastAttempt);
