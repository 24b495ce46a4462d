namespace Sluice.Delivery.Smtp;

public enum TlsPolicy
{
    /// <summary>STARTTLS when offered, certificate not verified (RFC 7435 opportunistic security); plaintext otherwise.</summary>
    Opportunistic,

    /// <summary>Never deliver in plaintext: no STARTTLS or a failed handshake is a temporary failure (4.7.4).</summary>
    Required,

    /// <summary>Never start TLS.</summary>
    Disabled,

    /// <summary>
    /// TLS with an authenticated peer (RFC 8461 §4.2, MTA-STS enforce): STARTTLS required, and the
    /// certificate must chain to a trusted root and name the MX host; otherwise a temporary failure (4.7.5).
    /// </summary>
    Verified,
}
