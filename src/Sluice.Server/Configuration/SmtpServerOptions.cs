namespace Sluice.Server.Configuration;

/// <summary>The <c>Smtp</c> section: host settings, validated at start.</summary>
public sealed class SmtpServerOptions
{
    /// <summary>Name in the greeting, EHLO reply and Received headers; defaults to the machine's host name.</summary>
    public string? Hostname { get; set; }

    public List<SmtpListenerOptions> Listeners { get; set; } = [];

    /// <summary>Domains this node accepts mail for from anyone (inbound role, and relay role for untrusted clients).</summary>
    public List<string> LocalDomains { get; set; } = [];

    public TlsOptions Tls { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();
}
