using Sluice.Core.Messages;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>One recipient's result of one delivery attempt, with where it was tried and how long the attempt took (DNS, connection wait, SMTP).</summary>
internal sealed record AttemptResult(EnvelopeRecipient Recipient, DeliveryOutcome Outcome, string Site, string? RemoteMta, string? Source = null, TimeSpan? Elapsed = null);
