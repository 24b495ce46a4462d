using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.Shaping;

/// <summary>
/// A compiled, immutable shaping config. <see cref="Resolve"/> layers built-in defaults, the
/// default rule, the matching provider and the recipient domain's rule (each with its entry for
/// the egress source) and remembers the answer, so the hot path does one dictionary lookup.
/// </summary>
public sealed class ShapingPolicy
{
    private readonly ShapingOptions _options;
    private readonly KeyValuePair<string, ShapingRule>[] _providers;
    private readonly ConcurrentDictionary<(string Site, string? Domain, string? Source), SiteShaping> _resolved = new();

    public ShapingPolicy(ShapingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;

        // Providers are tried in name order so that overlapping suffixes resolve the same way every time.
        _providers = [.. options.Providers.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)];
        Default = Resolve("*", [], null, null);
    }

    /// <summary>The shaping of a site that no provider, domain or source rule touches.</summary>
    public SiteShaping Default { get; }

    /// <summary>The domain itself when it has a rule of its own (and so its own ready queue at its site), else null.</summary>
    public string? OwnDomain(string domain) => _options.Domains.Count > 0 && _options.Domains.ContainsKey(domain) ? domain : null;

    /// <summary>
    /// The shaping for mail to <paramref name="ownDomain"/> (a domain with its own rule, or null)
    /// at <paramref name="site"/> (whose MX or relay hosts are <paramref name="hosts"/>) from
    /// <paramref name="source"/>; remembered, so the same instance comes back for the same key.
    /// </summary>
    public SiteShaping Resolve(string site, IReadOnlyList<MxHost> hosts, string? ownDomain, string? source)
    {
        var key = (site, ownDomain, source);
        if (_resolved.TryGetValue(key, out var known))
        {
            return known;
        }

        var shaping = SiteShaping.Defaults;
        shaping = Apply(shaping, _options.Default, source);
        if (Provider(hosts) is { } provider)
        {
            shaping = Apply(shaping, provider, source);
        }

        if (ownDomain is not null)
        {
            shaping = Apply(shaping, _options.Domains[ownDomain], source);
        }

        return _resolved.GetOrAdd(key, shaping);
    }

    /// <summary>The name of the provider whose suffixes match every host, or null.</summary>
    public string? ProviderName(IReadOnlyList<MxHost> hosts)
    {
        foreach (var (name, rule) in _providers)
        {
            if (Matches(rule, hosts))
            {
                return name;
            }
        }

        return null;
    }

    private ShapingRule? Provider(IReadOnlyList<MxHost> hosts)
        => ProviderName(hosts) is { } name ? _options.Providers[name] : null;

    private static bool Matches(ShapingRule rule, IReadOnlyList<MxHost> hosts) => MxSuffixes.MatchAll(rule.MxSuffixes, hosts);

    private static SiteShaping Apply(SiteShaping shaping, ShapingRule rule, string? source)
    {
        shaping = shaping.With(rule);
        return source is not null && rule.Sources.TryGetValue(source, out var forSource) ? shaping.With(forSource) : shaping;
    }
}
