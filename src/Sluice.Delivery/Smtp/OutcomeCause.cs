namespace Sluice.Delivery.Smtp;

/// <summary>
/// Why an attempt ended as it did. Decisions about members, slow start and retries switch over
/// this, never over reply text or status codes we made up.
/// </summary>
public enum OutcomeCause
{
    /// <summary>The peer answered: <see cref="DeliveryOutcome.Reply"/> is its reply.</summary>
    PeerReply,

    /// <summary>No TCP connection: refused, reset, unreachable.</summary>
    ConnectFailed,

    /// <summary>The peer did not answer in time; <see cref="DeliveryOutcome.Phase"/> says when.</summary>
    TimedOut,

    /// <summary>STARTTLS was needed and failed (not offered, refused, or the handshake failed).</summary>
    TlsFailed,

    /// <summary>The session was lost before the final dot was sent: the message was not delivered.</summary>
    LostBeforeDot,

    /// <summary>The session was lost while waiting for the reply to the final dot: the peer may have taken the message (RFC 1047).</summary>
    LostAfterDot,

    /// <summary>Decided here without a peer: DNS, policy, suspension, a capability the peer lacks, our own error.</summary>
    Local,
}
