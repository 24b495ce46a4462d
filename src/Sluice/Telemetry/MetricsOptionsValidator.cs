namespace Sluice.Telemetry;

/// <summary>The <c>Metrics</c> section's checks, each "key: reason".</summary>
internal static class MetricsOptionsValidator
{
    public static List<string> Validate(MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var otlp = options.Otlp;
        if (otlp.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"Metrics:Otlp:Endpoint: '{endpoint}' is not an http:// or https:// URL");
        }

        if (otlp.Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Metrics:Otlp:Interval: {otlp.Interval} is under a second");
        }

        if (otlp.Headers is { } headers && headers.Split(',', StringSplitOptions.RemoveEmptyEntries).Any(h => !h.Contains('=', StringComparison.Ordinal)))
        {
            // Not the headers themselves: they usually hold a secret.
            errors.Add("Metrics:Otlp:Headers: each header is key=value, separated by commas");
        }

        return errors;
    }
}
