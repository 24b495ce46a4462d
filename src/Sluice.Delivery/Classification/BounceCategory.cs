namespace Sluice.Delivery.Classification;

/// <summary>Why a delivery failed, in terms a sender can act on.</summary>
public enum BounceCategory
{
    None,
    InvalidRecipient,
    BadDomain,
    MailboxFull,
    MessageTooLarge,
    SpamBlock,
    Policy,
    RateLimited,
    TlsRequired,
    DnsFailure,
    NetworkFailure,
    Expired,
    Other,
}
