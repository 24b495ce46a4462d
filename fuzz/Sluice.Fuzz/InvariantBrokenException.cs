namespace Sluice.Fuzz;

/// <summary>A fuzz target found its own rule broken (not a refusal of bad input: a bug).</summary>
public sealed class InvariantBrokenException : Exception
{
    public InvariantBrokenException()
    {
    }

    public InvariantBrokenException(string message)
        : base(message)
    {
    }

    public InvariantBrokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
