namespace Sluice.Configuration;

/// <summary>The <c>Node</c> section.</summary>
public sealed class NodeOptions
{
    /// <summary>Where the spool, TLS material and temp files live.</summary>
    public string DataDirectory { get; set; } = "./data";
}
