namespace Sluice.Delivery.TlsReporting;

/// <summary>The <c>Delivery:TlsReporting</c> section: daily SMTP TLS reports (RFC 8460) of this node's outbound TLS results to domains that ask for them.</summary>
public sealed class TlsReportingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Who the reports say they come from (<c>organization-name</c>); default <c>Smtp:Hostname</c>.</summary>
    public string? OrganizationName { get; set; }

    /// <summary>How to reach whoever runs this node (<c>contact-info</c>), e.g. postmaster@example.com.</summary>
    public string? ContactInfo { get; set; }

    /// <summary>The From address of report mails; default <c>tlsrpt-noreply@</c>Smtp:Hostname.</summary>
    public string? From { get; set; }
}
