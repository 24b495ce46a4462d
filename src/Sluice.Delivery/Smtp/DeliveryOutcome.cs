using Sluice.Smtp;

namespace Sluice.Delivery.Smtp;

/// <summary>
/// How one recipient's attempt ended: its kind, the reply (the peer's, or one we synthesise for
/// failures that never got one, so every outcome has a code for DSNs and logs), and the typed
/// cause and session phase that decisions are made on.
/// </summary>
public sealed record DeliveryOutcome(DeliveryOutcomeKind Kind, SmtpReply Reply, OutcomeCause Cause = OutcomeCause.PeerReply, SessionPhase Phase = SessionPhase.Envelope)
{
    /// <summary>The peer's reply at <paramref name="phase"/>.</summary>
    public static DeliveryOutcome FromReply(SmtpReply reply, SessionPhase phase = SessionPhase.Envelope)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return new(reply.IsPositive ? DeliveryOutcomeKind.Delivered : reply.IsTransient ? DeliveryOutcomeKind.Transient : DeliveryOutcomeKind.Permanent, reply, OutcomeCause.PeerReply, phase);
    }

    /// <summary>A transient failure decided here (DNS, suspension, no member available…).</summary>
    public static DeliveryOutcome Transient(string status, string text) => new(DeliveryOutcomeKind.Transient, SmtpReply.Create(451, status, text), OutcomeCause.Local);

    /// <summary>A permanent failure decided here (null MX, a capability the peer lacks, an operator's bounce…).</summary>
    public static DeliveryOutcome Permanent(int code, string status, string text) => new(DeliveryOutcomeKind.Permanent, SmtpReply.Create(code, status, text), OutcomeCause.Local);

    /// <summary>A transient failure of the session itself (no connection, timeout, TLS, lost).</summary>
    public static DeliveryOutcome Session(OutcomeCause cause, SessionPhase phase, string status, string text)
        => new(DeliveryOutcomeKind.Transient, SmtpReply.Create(451, status, text), cause, phase);
}
