namespace Sluice.Configuration;

/// <summary>Invalid configuration: each line names the key and the reason. Start-up stops.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
        => Errors = errors;

    public ConfigurationException()
        : this([])
    {
    }

    public ConfigurationException(string message)
        : this([message])
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
        => Errors = [message];

    public IReadOnlyList<string> Errors { get; } = [];
}
