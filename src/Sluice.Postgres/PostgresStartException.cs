namespace Sluice.Postgres;

/// <summary>The cluster database could not be used at start; the message is one line for the operator.</summary>
public sealed class PostgresStartException : Exception
{
    public PostgresStartException()
    {
    }

    public PostgresStartException(string message)
        : base(message)
    {
    }

    public PostgresStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
