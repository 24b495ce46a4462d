using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Delivery.Shaping;

/// <summary>The shaping rules (default, providers, domains, per-source entries), every error named by its key under <paramref name="prefix"/>.</summary>
internal sealed class ShapingOptionsValidator(string prefix = "Delivery:Shaping") : IValidateOptions<ShapingOptions>
{
    public ValidateOptionsResult Validate(string? name, ShapingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateRule(options.Default, $"{prefix}:Default", errors);
        foreach (var (provider, rule) in options.Providers)
        {
            var key = $"{prefix}:Providers:{provider}";
            if (rule.MxSuffixes.Count == 0)
            {
                errors.Add($"{key}:MxSuffixes: a provider needs at least one MX host suffix to match");
            }

            for (var i = 0; i < rule.MxSuffixes.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(rule.MxSuffixes[i]) || rule.MxSuffixes[i].Trim('.').Length == 0)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:MxSuffixes:{i}: must be a host name suffix such as .google.com"));
                }
            }

            ValidateRule(rule, key, errors);
        }

        foreach (var (domain, rule) in options.Domains)
        {
            var key = $"{prefix}:Domains:{domain}";
            if (rule.MxSuffixes.Count > 0)
            {
                errors.Add($"{key}:MxSuffixes: only providers match by MX suffix; a domain rule matches its domain");
            }

            ValidateRule(rule, key, errors);
        }

        return OptionsValidation.Result(errors);
    }

    private static void ValidateRule(ShapingRule rule, string key, List<string> errors)
    {
        AtLeastOne(rule.MaxConnections, $"{key}:MaxConnections", errors);
        AtLeastOne(rule.InitialConnections, $"{key}:InitialConnections", errors);
        AtLeastOne(rule.MaxMessagesPerConnection, $"{key}:MaxMessagesPerConnection", errors);
        AtLeastOne(rule.MessageBurst, $"{key}:MessageBurst", errors);
        AtLeastOne(rule.ConnectionBurst, $"{key}:ConnectionBurst", errors);
        AtLeastOne(rule.FailuresBeforeCooldown, $"{key}:FailuresBeforeCooldown", errors);
        Rate(rule.MaxMessageRate, $"{key}:MaxMessageRate", "messages", errors);
        Rate(rule.MaxConnectionRate, $"{key}:MaxConnectionRate", "connections", errors);

        Positive(rule.IdleTimeout, $"{key}:IdleTimeout", errors);
        Positive(rule.FailureCooldown, $"{key}:FailureCooldown", errors);
        Positive(rule.ConnectTimeout, $"{key}:ConnectTimeout", errors);
        Positive(rule.CommandTimeout, $"{key}:CommandTimeout", errors);
        Positive(rule.DataTimeout, $"{key}:DataTimeout", errors);
        Positive(rule.DataDoneTimeout, $"{key}:DataDoneTimeout", errors);
        foreach (var (source, sourceRule) in rule.Sources)
        {
            if (sourceRule.Sources.Count > 0 || sourceRule.MxSuffixes.Count > 0)
            {
                errors.Add($"{key}:Sources:{source}: a source entry sets limits only (no Sources or MxSuffixes of its own)");
            }

            ValidateRule(sourceRule, $"{key}:Sources:{source}", errors);
        }
    }

    private static void Rate(double? value, string key, string what, List<string> errors)
    {
        if (value is < 0 || value is double v && !double.IsFinite(v))
        {
            errors.Add($"{key}: {what} per second, 0 for no limit");
        }
    }

    private static void AtLeastOne(int? value, string key, List<string> errors)
    {
        if (value is < 1)
        {
            errors.Add($"{key}: must be at least 1");
        }
    }

    private static void Positive(TimeSpan? value, string key, List<string> errors)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            errors.Add($"{key}: must be a positive time span (hh:mm:ss)");
        }
    }
}
