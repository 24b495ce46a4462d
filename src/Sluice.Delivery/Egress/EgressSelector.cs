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
            s => new EgressSource(s.Name, IPAddress.Parse(s.Address), s.EhloName, s.WarmUp),
            StringComparer.OrdinalIgnoreCase);
        foreach (var pool in options.Pools)
        {
            _pools[pool.Name] = new SmoothWeightedRoundRobin<EgressSource>([.. pool.Members.Select(m => (sources[m.Source], m.Weight))]);
        }

        HasWarmUp = options.Sources.Exists(s => s.WarmUp is not null);
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

    /// <summary>A source has a warm-up plan: choices must go through the warm-up ledger.</summary>
    public bool HasWarmUp { get; }

    /// <summary>The source for the next message, or null when no sources are configured.</summary>
    public EgressSource? Next(string? pool)
    {
        var name = pool ?? _default;
        return name is not null && _pools.TryGetValue(name, out var selector) ? selector.Next() : null;
    }

    /// <summary>
    /// The source for the next message that <paramref name="accept"/> takes (the weighted choice
    /// first, then the pool's other members): <see cref="EgressChoice.None"/> without sources,
    /// <see cref="EgressChoice.Refused"/> when every member was refused.
    /// </summary>
    public (EgressChoice Choice, EgressSource? Source) Next(string? pool, Func<EgressSource, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var name = pool ?? _default;
        if (name is null || !_pools.TryGetValue(name, out var selector))
        {
            return (EgressChoice.None, null);
        }

        var source = selector.Next(accept);
        return source is null ? (EgressChoice.Refused, null) : (EgressChoice.Chosen, source);
    }
}
