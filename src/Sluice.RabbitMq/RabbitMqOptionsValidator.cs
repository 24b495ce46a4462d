namespace Sluice.RabbitMq;

/// <summary>Checks the <c>Cluster:RabbitMq</c> section; each error names its key.</summary>
public static class RabbitMqOptionsValidator
{
    public static List<string> Validate(RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Uris.Count; i++)
        {
            if (!Uri.TryCreate(options.Uris[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || string.IsNullOrEmpty(uri.Host))
            {
                errors.Add($"Cluster:RabbitMq:Uris:{i}: '{options.Uris[i]}' is not an amqp:// or amqps:// URI with a host");
            }
        }

        if (options.Shards is < 1 or > 64)
        {
            errors.Add("Cluster:RabbitMq:Shards: must be between 1 and 64");
        }

        if (options.Prefetch is < 1 or > 10_000)
        {
            errors.Add("Cluster:RabbitMq:Prefetch: must be between 1 and 10000");
        }

        if (options.ConfirmTimeout <= TimeSpan.Zero)
        {
            errors.Add("Cluster:RabbitMq:ConfirmTimeout: must be more than zero");
        }

        return errors;
    }
}
