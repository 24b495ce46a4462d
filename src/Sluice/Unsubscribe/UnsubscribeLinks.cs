using Sluice.Delivery.Feedback;

namespace Sluice.Unsubscribe;

/// <summary>The List-Unsubscribe headers of one message to one recipient (RFC 2369 §3.2, RFC 8058 §3.1), when the node is configured for them.</summary>
internal sealed class UnsubscribeLinks(UnsubscribeOptions options, SignedTokens tokens)
{
    public bool Configured => options.BaseUrl is not null;

    public SignedTokens Tokens => tokens;

    /// <summary><c>List-Unsubscribe</c> (the one-click URL, then the mailto address if configured) and <c>List-Unsubscribe-Post</c>.</summary>
    public (string ListUnsubscribe, string Post) Headers(string messageId, string recipient, string senderDomain)
    {
        var link = $"<{options.BaseUrl!.TrimEnd('/')}/u/{tokens.ForLink(messageId, recipient, senderDomain)}>";
        var mailto = options.MailtoDomain is { } domain ? $", <mailto:{tokens.ForMailto(messageId)}@{domain}>" : string.Empty;
        return (link + mailto, "List-Unsubscribe=One-Click");
    }
}
