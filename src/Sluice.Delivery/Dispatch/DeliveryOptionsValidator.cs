using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// The delivery engine's settings (section <c>Delivery</c>): relays, routes, DNS servers, retries,
/// limits, shaping, egress, relay pools and bounce rules, every error named by its key. The same
/// check runs at start and on every live reload (a reload that fails it is refused).
/// </summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateDelivery(options, errors);
        return OptionsValidation.Result(errors);
    }

    private static void ValidateDelivery(DeliveryOptions delivery, List<string> errors)
    {
        if (delivery.RelayHost is { } relay)
        {
            try
            {
                Routing.Router.Parse(relay, null);
            }
            catch (FormatException)
            {
                errors.Add($"Delivery:RelayHost: '{relay}' is not HOST:PORT");
            }
        }

        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            if (delivery.Routes[i].Relay is { } routeRelay)
            {
                try
                {
                    Routing.Router.Parse(routeRelay, null);
                }
                catch (FormatException)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Relay: '{routeRelay}' is not HOST:PORT"));
                }
            }
        }

        for (var i = 0; i < delivery.Dns.Servers.Count; i++)
        {
            try
            {
                Dns.MxResolver.ParseServer(delivery.Dns.Servers[i]);
            }
            catch (FormatException)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Dns:Servers:{i}: '{delivery.Dns.Servers[i]}' is not ADDRESS[:PORT]"));
            }
        }

        if (delivery.Retry.Intervals.Any(t => t <= TimeSpan.Zero))
        {
            errors.Add("Delivery:Retry:Intervals: every interval must be positive");
        }

        if (delivery.Retry.MaxAge <= TimeSpan.Zero)
        {
            errors.Add("Delivery:Retry:MaxAge: must be positive");
        }

        if (delivery.Retry.Jitter is < 0 or >= 1)
        {
            errors.Add("Delivery:Retry:Jitter: a fraction from 0 to below 1");
        }

        foreach (var (key, value) in new[] { ("Concurrency", delivery.Concurrency), ("MaxConnections", delivery.MaxConnections), ("MaxInHand", delivery.MaxInHand), ("MaxWaitingPerQueue", delivery.MaxWaitingPerQueue) })
        {
            if (value < 1)
            {
                errors.Add($"Delivery:{key}: must be at least 1");
            }
        }

        OptionsValidation.Collect(new Shaping.ShapingOptionsValidator().Validate(null, delivery.Shaping), errors);
        ValidateShapingSources(delivery, errors);

        OptionsValidation.Collect(new Egress.EgressOptionsValidator().Validate(null, delivery.Egress), errors);
        errors.AddRange(new Pools.RelayPoolsValidator().Validate(delivery.Pools));
        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            var route = delivery.Routes[i];
            if (route.Pool is { } poolName)
            {
                if (route.Relay is not null)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Pool: a route goes to a Relay or a Pool, not both"));
                }
                else if (!delivery.Pools.Any(p => string.Equals(p.Name, poolName, StringComparison.OrdinalIgnoreCase)))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Pool: no pool named '{poolName}' in Delivery:Pools"));
                }
            }
        }

        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            if (delivery.Routes[i].EgressPool is { } pool && !delivery.Egress.Pools.Any(p => string.Equals(p.Name, pool, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:EgressPool: no pool named '{pool}'"));
            }
        }

        if (delivery.BounceRulesFile is { } rulesFile)
        {
            try
            {
                Classification.BounceClassifier.Load(rulesFile);
            }
            catch (FormatException ex)
            {
                errors.Add($"Delivery:BounceRulesFile: {ex.Message}");
            }
        }

        if (delivery.ReplyRulesFile is { } replyRules)
        {
            try
            {
                Shaping.ReplyRules.Load(replyRules);
            }
            catch (FormatException ex)
            {
                errors.Add($"Delivery:ReplyRulesFile: {ex.Message}");
            }
        }

        if (delivery.MtaSts.HttpsPort is < 1 or > 65535)
        {
            errors.Add("Delivery:MtaSts:HttpsPort: must be between 1 and 65535");
        }

        if (delivery.MtaSts.FetchTimeout <= TimeSpan.Zero)
        {
            errors.Add("Delivery:MtaSts:FetchTimeout: must be longer than zero");
        }

        if (delivery.MxPort is < 1 or > 65535)
        {
            errors.Add("Delivery:MxPort: a TCP port");
        }
    }

    /// <summary>A shaping entry for an egress source that does not exist is a typo that would silently do nothing.</summary>
    private static void ValidateShapingSources(DeliveryOptions delivery, List<string> errors)
    {
        var sources = delivery.Egress.Sources.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var shaping = delivery.Shaping;
        var layers = new List<(string Key, Shaping.ShapingRule Rule)> { ("Delivery:Shaping:Default", shaping.Default) };
        layers.AddRange(shaping.Providers.Select(p => ($"Delivery:Shaping:Providers:{p.Key}", p.Value)));
        layers.AddRange(shaping.Domains.Select(d => ($"Delivery:Shaping:Domains:{d.Key}", d.Value)));
        foreach (var (key, rule) in layers)
        {
            foreach (var source in rule.Sources.Keys)
            {
                if (!sources.Contains(source))
                {
                    errors.Add($"{key}:Sources:{source}: no egress source named '{source}' in Delivery:Egress:Sources");
                }
            }
        }
    }
}
