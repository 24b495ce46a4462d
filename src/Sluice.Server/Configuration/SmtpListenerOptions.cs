namespace Sluice.Server.Configuration;

/// <summary>One SMTP listener: where it listens, what it is for, and its limits.</summary>
public sealed class SmtpListenerOptions
{
    public string Name { get; set; } = "default";

    /// <summary><c>ADDRESS:PORT</c>, e.g. <c>127.0.0.1:2525</c> or <c>[::1]:2525</c>.</summary>
    public string Address { get; set; } = "127.0.0.1:2525";

    public ListenerRole Role { get; set; } = ListenerRole.Relay;

    /// <summary>CIDR networks whose clients may relay without AUTH (relay role only).</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>Offer AUTH before STARTTLS. Off by default: passwords do not cross the wire in clear.</summary>
    public bool AllowPlaintextAuth { get; set; }

    /// <summary>TLS from the first byte (port 465, RFC 8314) instead of STARTTLS.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>
    /// Expect a PROXY protocol header (v1 or v2) from the balancers in <see cref="ProxyTrustedNetworks"/>,
    /// so the session sees the real client address. Connections from anywhere else are served as
    /// direct connections and never parsed for PROXY.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>CIDR networks of the balancers (sluice balance, HAProxy) allowed to send PROXY headers.</summary>
    public List<string> ProxyTrustedNetworks { get; set; } = [];

    public SmtpLimits Limits { get; set; } = new();
}
