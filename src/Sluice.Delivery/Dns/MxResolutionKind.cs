namespace Sluice.Delivery.Dns;

public enum MxResolutionKind
{
    /// <summary>Mail exchangers to try, in order.</summary>
    Hosts,

    /// <summary>The domain says it accepts no mail (RFC 7505 null MX): bounce with 5.1.10.</summary>
    NullMx,

    /// <summary>The domain does not exist, or has neither MX nor address records: bounce (5.1.2).</summary>
    NoSuchDomain,

    /// <summary>DNS failed for now (SERVFAIL, timeout): try again later (4.4.3).</summary>
    TemporaryFailure,
}
