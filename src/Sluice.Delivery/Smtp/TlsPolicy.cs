namespace Sluice.Delivery.Smtp;

public enum TlsPolicy
{
    /// <summary>STARTTLS when offered, certificate not verified (RFC 7435 opportunistic security); plaintext otherwise.</summary>
    Opportunistic,

    /// <summary>Never deliver in plaintext: no STARTTLS or a failed handshake is a temporary failure (4.7.4).</summary>
    Required,

    /// <summary>Never start TLS.</summary>
    Disabled,
}
