using System.Net;
using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Configuration;

/// <summary>The <c>Http</c> section: where the API listens, its default rate per key, its message size limit and who reads /metrics without a key.</summary>
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

        for (var i = 0; i < options.MetricsNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.MetricsNetworks[i], out _))
            {
                errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Http:MetricsNetworks:{i}: '{options.MetricsNetworks[i]}' is not a CIDR network"));
            }
        }

        return OptionsValidation.Result(errors);
    }
}
