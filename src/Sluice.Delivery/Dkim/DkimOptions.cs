namespace Sluice.Delivery.Dkim;

/// <summary>The <c>Dkim</c> section: keys per sending domain; mail whose From domain (or a parent of it) has a key is signed at intake.</summary>
public sealed class DkimOptions
{
    public List<DkimKeyOptions> Keys { get; set; } = [];

    /// <summary>Judge at intake whether DKIM or SPF aligns with each message's From domain and what its DMARC policy would do (a warning: event and metric).</summary>
    public bool CheckAlignment { get; set; } = true;

    /// <summary>Signed when present and not configured per key.</summary>
    public static readonly string[] DefaultHeaders =
    [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
    ];
}
