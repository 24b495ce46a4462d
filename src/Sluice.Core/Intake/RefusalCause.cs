namespace Sluice.Core.Intake;

/// <summary>Why the intake stage refused a recipient.</summary>
public enum RefusalCause
{
    /// <summary>Not a local domain, and the submitter may not relay (RFC 5321 §3.9 leaves this to policy).</summary>
    RelayDenied,

    /// <summary>On the suppression list (bounce, complaint, unsubscribe or manual).</summary>
    Suppressed,

    /// <summary>The domain publishes a null MX (RFC 7505): it takes no mail.</summary>
    NoMailDomain,

    /// <summary>The domain does not exist (NXDOMAIN).</summary>
    NoSuchDomain,
}
