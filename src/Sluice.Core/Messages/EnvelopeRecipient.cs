namespace Sluice.Core.Messages;

/// <summary>One RCPT TO with its RFC 3461 DSN parameters (NOTIFY, ORCPT), stored as given.</summary>
public sealed record EnvelopeRecipient(string Address, string? Notify = null, string? OriginalRecipient = null)
{
    /// <summary>The domain part, lower-cased, or empty for the bare "postmaster".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Domain
    {
        get
        {
            var at = Address.LastIndexOf('@');
            return at < 0 ? string.Empty : Address[(at + 1)..].ToLowerInvariant();
        }
    }
}
