using Sluice.Smtp;

namespace Sluice.Delivery.Smtp;

/// <summary>
/// How one recipient's attempt ended: the peer's reply, or a reply we synthesise for failures that
/// never got one (connection refused, timeout, TLS required…), so every outcome has a code.
/// </summary>
public sealed record DeliveryOutcome(DeliveryOutcomeKind Kind, SmtpReply Reply)
{
    public static DeliveryOutcome FromReply(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return new(reply.IsPositive ? DeliveryOutcomeKind.Delivered : reply.IsTransient ? DeliveryOutcomeKind.Transient : DeliveryOutcomeKind.Permanent, reply);
    }

    public static DeliveryOutcome Transient(string status, string text) => new(DeliveryOutcomeKind.Transient, SmtpReply.Create(451, status, text));

    public static DeliveryOutcome Permanent(int code, string status, string text) => new(DeliveryOutcomeKind.Permanent, SmtpReply.Create(code, status, text));
}
