namespace Sluice.Configuration;

/// <summary>The <c>Http</c> section.</summary>
public sealed class HttpOptions
{
    public string Address { get; set; } = "127.0.0.1:8025";
}
