using Microsoft.Extensions.Options;

namespace Sluice.Configuration;

/// <summary>The <c>Node</c> section.</summary>
internal sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DataDirectory)
            ? ValidateOptionsResult.Fail("Node:DataDirectory: must name a folder")
            : ValidateOptionsResult.Success;
    }
}
