using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>Checks the <c>Cluster:Redis</c> section; each error names its key.</summary>
public static class RedisOptionsValidator
{
    public static List<string> Validate(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Configuration is { } text && !string.IsNullOrWhiteSpace(text))
        {
            try
            {
                if (ConfigurationOptions.Parse(text).EndPoints.Count == 0)
                {
                    errors.Add("Cluster:Redis:Configuration: no host:port given");
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Cluster:Redis:Configuration: not a Redis configuration string ({ex.Message.ReplaceLineEndings(" ")})");
            }
        }

        if (options.LeaseTtl < TimeSpan.FromSeconds(3))
        {
            errors.Add("Cluster:Redis:LeaseTtl: must be at least 3 seconds (leases are renewed every third of it)");
        }

        if (options.LeaseRetry <= TimeSpan.Zero || options.LeaseRetry > options.LeaseTtl)
        {
            errors.Add("Cluster:Redis:LeaseRetry: must be more than zero and no more than LeaseTtl");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add("Cluster:Redis:CommandTimeout: must be more than zero");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            errors.Add("Cluster:Redis:KeyPrefix: must not be empty");
        }

        return errors;
    }
}
