namespace Sluice.Unsubscribe;

/// <summary>The <c>Unsubscribe</c> section's checks, each "key: reason".</summary>
internal static class UnsubscribeOptionsValidator
{
    public static List<string> Validate(UnsubscribeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BaseUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0))
        {
            errors.Add($"Unsubscribe:BaseUrl: '{url}' is not an https:// URL without a query");
        }

        if (options.MailtoDomain is { } domain && (domain.Length == 0 || domain.Contains('@', StringComparison.Ordinal) || Uri.CheckHostName(domain) != UriHostNameType.Dns))
        {
            errors.Add($"Unsubscribe:MailtoDomain: '{domain}' is not a domain name");
        }

        if (options.Secret is { Length: < 16 })
        {
            errors.Add("Unsubscribe:Secret: shorter than 16 characters");
        }

        return errors;
    }
}
