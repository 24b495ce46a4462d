namespace Sluice.Webhooks;

/// <summary>The <c>Webhooks</c> section's checks, each "key: reason".</summary>
internal static class WebhookOptionsValidator
{
    public static List<string> Validate(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BatchSize is < 1 or > 1000)
        {
            errors.Add($"Webhooks:BatchSize: {options.BatchSize} is not between 1 and 1000");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Webhooks:Timeout: {options.Timeout} must be positive");
        }

        if (options.RetryBase <= TimeSpan.Zero)
        {
            errors.Add($"Webhooks:RetryBase: {options.RetryBase} must be positive");
        }

        if (options.RetryMax < options.RetryBase)
        {
            errors.Add($"Webhooks:RetryMax: {options.RetryMax} is shorter than Webhooks:RetryBase ({options.RetryBase})");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"Webhooks:MaxAttempts: {options.MaxAttempts} must be at least 1");
        }

        return errors;
    }
}
