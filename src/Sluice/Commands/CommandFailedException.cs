namespace Sluice.Commands;

/// <summary>A command did part of its work and failed the rest (already reported above); the CLI prints the message and exits 1.</summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
