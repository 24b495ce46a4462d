namespace Sluice.Delivery.Feedback;

/// <summary>The <c>Feedback</c> section's checks, each "key: reason".</summary>
public static class FeedbackOptionsValidator
{
    public static List<string> Validate(FeedbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.ReturnPathDomain is { } domain && (domain.Contains('@', StringComparison.Ordinal) || Uri.CheckHostName(domain) != UriHostNameType.Dns))
        {
            errors.Add($"Feedback:ReturnPathDomain: '{domain}' is not a domain name");
        }

        if (options.SoftBounceLimit < 0)
        {
            errors.Add("Feedback:SoftBounceLimit: must be 0 (never) or more");
        }

        if (options.SoftBounceWindow <= TimeSpan.Zero || options.SoftBounceWindow > TimeSpan.FromDays(365))
        {
            errors.Add("Feedback:SoftBounceWindow: must be longer than zero and at most 365 days");
        }

        return errors;
    }
}
