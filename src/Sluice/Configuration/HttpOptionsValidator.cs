using System.Net;
using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Configuration;

/// <summary>The <c>Http</c> section: where the API listens, its default rate per key and its message size limit.</summary>
internal sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!IPEndPoint.TryParse(options.Address, out _) || !options.Address.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"Http:Address: '{options.Address}' is not ADDRESS:PORT");
        }

        if (options.RequestsPerSecond < 1)
        {
            errors.Add("Http:RequestsPerSecond: must be at least 1");
        }

        if (options.MaxMessageSize < 1024)
        {
            errors.Add("Http:MaxMessageSize: must be at least 1024 octets");
        }

        return OptionsValidation.Result(errors);
    }
}
