using Npgsql;

namespace Sluice.Postgres;

/// <summary>Checks the <c>Cluster:Postgres</c> section; each error names its key.</summary>
public static class PostgresOptionsValidator
{
    public static List<string> Validate(PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.ConnectionString is { } text && !string.IsNullOrWhiteSpace(text))
        {
            try
            {
                var parsed = new NpgsqlConnectionStringBuilder(text);
                if (string.IsNullOrWhiteSpace(parsed.Host))
                {
                    errors.Add("Cluster:Postgres:ConnectionString: no Host given");
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Cluster:Postgres:ConnectionString: not a PostgreSQL connection string ({ex.Message.ReplaceLineEndings(" ")})");
            }
        }

        if (options.StartTimeout <= TimeSpan.Zero)
        {
            errors.Add("Cluster:Postgres:StartTimeout: must be more than zero");
        }

        return errors;
    }
}
