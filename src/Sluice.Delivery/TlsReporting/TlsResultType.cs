namespace Sluice.Delivery.TlsReporting;

/// <summary>RFC 8460 §4.3 result types, as the report spells them.</summary>
public static class TlsResultType
{
    public const string StartTlsNotSupported = "starttls-not-supported";
    public const string CertificateHostMismatch = "certificate-host-mismatch";
    public const string CertificateExpired = "certificate-expired";
    public const string CertificateNotTrusted = "certificate-not-trusted";
    public const string ValidationFailure = "validation-failure";
    public const string StsPolicyFetchError = "sts-policy-fetch-error";

    /// <summary>The result type of a TLS failure, from the platform's account of it.</summary>
    public static string Of(string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        // A certificate can fail several ways at once: the most fundamental is named (an expired or
        // untrusted certificate says nothing about names).
        return detail.Contains("STARTTLS", StringComparison.Ordinal) ? StartTlsNotSupported
            : detail.Contains("NotTimeValid", StringComparison.OrdinalIgnoreCase) || detail.Contains("expired", StringComparison.OrdinalIgnoreCase) ? CertificateExpired
            : detail.Contains("ChainErrors", StringComparison.OrdinalIgnoreCase) || detail.Contains("certificate chain", StringComparison.OrdinalIgnoreCase) || detail.Contains("UntrustedRoot", StringComparison.OrdinalIgnoreCase) ? CertificateNotTrusted
            : detail.Contains("NameMismatch", StringComparison.OrdinalIgnoreCase) ? CertificateHostMismatch
            : ValidationFailure;
    }
}
