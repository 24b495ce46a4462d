namespace Sluice.Commands;

/// <summary>The node answered with an HTTP problem; the CLI prints it and exits 1.</summary>
internal sealed class ApiProblemException : Exception
{
    public ApiProblemException()
    {
    }

    public ApiProblemException(string message)
        : base(message)
    {
    }

    public ApiProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
