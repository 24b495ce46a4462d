using System.Net;

namespace Sluice.Delivery.Smtp;

/// <summary>Outbound session settings; timeouts default to RFC 5321 §4.5.3.2.</summary>
public sealed class SmtpClientOptions
{
    public string HeloName { get; set; } = System.Net.Dns.GetHostName();

    /// <summary>Local address to send from (an egress source); null lets the OS choose.</summary>
    public IPAddress? SourceAddress { get; set; }

    public TlsPolicy Tls { get; set; } = TlsPolicy.Opportunistic;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DataBlockTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public TimeSpan FinalDotTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>AUTH PLAIN user for a relay that requires it (RFC 4954); sent only after STARTTLS.</summary>
    public string? Username { get; set; }

    /// <summary>AUTH password; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Bytes sent right after connecting, before the greeting: a PROXY protocol header (the balancer's probes of PROXY-enabled nodes).</summary>
    public ReadOnlyMemory<byte> Preamble { get; set; }

    public bool UsePipelining { get; set; } = true;

    public bool UseChunking { get; set; } = true;

    /// <summary>A copy with a different source, EHLO name or TLS policy; every other setting is kept.</summary>
    public SmtpClientOptions With(IPAddress? sourceAddress, string? heloName, TlsPolicy? tls)
    {
        var copy = (SmtpClientOptions)MemberwiseClone();
        copy.SourceAddress = sourceAddress ?? SourceAddress;
        copy.HeloName = heloName ?? HeloName;
        copy.Tls = tls ?? Tls;
        return copy;
    }
}
