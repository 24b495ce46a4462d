using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.Shaping;

/// <summary>
/// A compiled, immutable shaping config. <see cref="Resolve"/> layers built-in defaults, the
/// default rule, the matching provider and the recipient domain's rule (each with its entry for
/// the egress source) and remembers the answer, so the hot path does one dictionary lookup.
/// </summary>
internal sealed class ShapingPolicy
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

    private static bool Matches(ShapingRule rule, IReadOnlyList<MxHost> hosts)
    {
        if (hosts.Count == 0 || rule.MxSuffixes.Count == 0)
        {
            return false;
        }

        foreach (var host in hosts)
        {
            var name = host.Name.TrimEnd('.');
            var any = false;
            foreach (var suffix in rule.MxSuffixes)
            {
                var s = suffix.TrimEnd('.');
                if (name.EndsWith(s, StringComparison.OrdinalIgnoreCase)
                    && (name.Length == s.Length || s[0] == '.' || name[name.Length - s.Length - 1] == '.'))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        return true;
    }

    private static SiteShaping Apply(SiteShaping shaping, ShapingRule rule, string? source)
    {
        shaping = shaping.With(rule);
        return source is not null && rule.Sources.TryGetValue(source, out var forSource) ? shaping.With(forSource) : shaping;
    }

    /// <summary>Config problems as "key: reason" lines; <paramref name="prefix"/> is the section's key.</summary>
    public static List<string> Validate(ShapingOptions options, string prefix = "Delivery:Shaping")
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateRule(options.Default, $"{prefix}:Default", errors);
        foreach (var (name, rule) in options.Providers)
        {
            var key = $"{prefix}:Providers:{name}";
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

        return errors;
    }

    private static void ValidateRule(ShapingRule rule, string key, List<string> errors)
    {
        AtLeastOne(rule.MaxConnections, $"{key}:MaxConnections", errors);
        AtLeastOne(rule.InitialConnections, $"{key}:InitialConnections", errors);
        AtLeastOne(rule.MaxMessagesPerConnection, $"{key}:MaxMessagesPerConnection", errors);
        AtLeastOne(rule.MessageBurst, $"{key}:MessageBurst", errors);
        AtLeastOne(rule.ConnectionBurst, $"{key}:ConnectionBurst", errors);
        AtLeastOne(rule.FailuresBeforeCooldown, $"{key}:FailuresBeforeCooldown", errors);
        if (rule.MaxMessageRate is < 0 || rule.MaxMessageRate is double m && !double.IsFinite(m))
        {
            errors.Add($"{key}:MaxMessageRate: messages per second, 0 for no limit");
        }

        if (rule.MaxConnectionRate is < 0 || rule.MaxConnectionRate is double c && !double.IsFinite(c))
        {
            errors.Add($"{key}:MaxConnectionRate: connections per second, 0 for no limit");
        }

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
