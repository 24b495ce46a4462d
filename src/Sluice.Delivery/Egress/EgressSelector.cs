using System.Net;
using Sluice.Core.Balancing;

namespace Sluice.Delivery.Egress;

/// <summary>Picks the egress source for a message from its route's pool (or the default pool), by weight.</summary>
public sealed class EgressSelector
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
}
