using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Delivery.Egress;

/// <summary>The egress sources and pools (section <c>Delivery:Egress</c>), every error named by its key.</summary>
internal sealed class EgressOptionsValidator : IValidateOptions<EgressOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            if (string.IsNullOrWhiteSpace(s.Name) || !names.Add(s.Name))
            {
                errors.Add($"Delivery:Egress:Sources:{i}:Name: missing or used twice");
            }

            if (!IPAddress.TryParse(s.Address, out _))
            {
                errors.Add($"Delivery:Egress:Sources:{i}:Address: '{s.Address}' is not an IP address");
            }

            if (s.WarmUp is { } warmUp)
            {
                if (warmUp.Schedule.Count == 0)
                {
                    errors.Add($"Delivery:Egress:Sources:{i}:WarmUp:Schedule: the daily volumes, day 1 first (at least one)");
                }

                if (warmUp.Start == default)
                {
                    errors.Add($"Delivery:Egress:Sources:{i}:WarmUp:Start: the first day of the plan (yyyy-mm-dd)");
                }

                foreach (var (provider, schedule) in warmUp.Providers.Append(new("", warmUp.Schedule)))
                {
                    if (schedule.Exists(v => v < 0))
                    {
                        errors.Add($"Delivery:Egress:Sources:{i}:WarmUp:{(provider.Length == 0 ? "Schedule" : "Providers:" + provider)}: a daily volume is negative");
                    }
                }
            }
        }

        var pools = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Pools.Count; i++)
        {
            var pool = options.Pools[i];
            if (string.IsNullOrWhiteSpace(pool.Name) || !pools.Add(pool.Name))
            {
                errors.Add($"Delivery:Egress:Pools:{i}:Name: missing or used twice");
            }

            if (pool.Members.Count == 0 || pool.Members.All(m => m.Weight <= 0))
            {
                errors.Add($"Delivery:Egress:Pools:{i}:Members: at least one member with a positive weight");
            }

            for (var j = 0; j < pool.Members.Count; j++)
            {
                if (!names.Contains(pool.Members[j].Source))
                {
                    errors.Add($"Delivery:Egress:Pools:{i}:Members:{j}:Source: no source named '{pool.Members[j].Source}'");
                }

                if (pool.Members[j].Weight < 0)
                {
                    errors.Add($"Delivery:Egress:Pools:{i}:Members:{j}:Weight: must not be negative");
                }
            }
        }

        if (options.DefaultPool is { } d && !pools.Contains(d))
        {
            errors.Add($"Delivery:Egress:DefaultPool: no pool named '{d}'");
        }

        return OptionsValidation.Result(errors);
    }
}
