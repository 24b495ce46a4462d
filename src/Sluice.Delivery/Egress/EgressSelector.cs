using System.Net;
using Sluice.Core.Balancing;

namespace Sluice.Delivery.Egress;

/// <summary>Picks the egress source for a message from its route's pool (or the default pool), by weight.</summary>
internal sealed class EgressSelector
{
    private readonly Dictionary<string, SmoothWeightedRoundRobin<EgressSource>> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? _default;

    public EgressSelector(EgressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sources = options.Sources.ToDictionary(
            s => s.Name,
            s => new EgressSource(s.Name, IPAddress.Parse(s.Address), s.EhloName),
            StringComparer.OrdinalIgnoreCase);
        foreach (var pool in options.Pools)
        {
            _pools[pool.Name] = new SmoothWeightedRoundRobin<EgressSource>([.. pool.Members.Select(m => (sources[m.Source], m.Weight))]);
        }

        if (options.DefaultPool is { } name)
        {
            _default = name;
        }
        else if (sources.Count > 0)
        {
            _default = "*all";
            _pools[_default] = new SmoothWeightedRoundRobin<EgressSource>([.. sources.Values.Select(s => (s, 1))]);
        }
    }

    /// <summary>The source for the next message, or null when no sources are configured.</summary>
    public EgressSource? Next(string? pool)
    {
        var name = pool ?? _default;
        return name is not null && _pools.TryGetValue(name, out var selector) ? selector.Next() : null;
    }

    /// <summary>Config problems as "key: reason" lines.</summary>
    public static List<string> Validate(EgressOptions options)
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

        return errors;
    }
}
