using System.Collections.Concurrent;

namespace Sluice.Core.Telemetry;

/// <summary>
/// The sending domain of an address as a metric tag: lower case, "" for the null sender, one shared
/// string per domain (looked up by span: no allocation per message once a domain is known), and
/// <see cref="Other"/> once <see cref="MaxDomains"/> distinct domains were seen, so that a node
/// relaying for the world cannot grow its series without bound.
/// </summary>
public static class SenderDomains
{
    public const int MaxDomains = 10_000;
    public const string Other = "other";
    private static readonly ConcurrentDictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BySpan = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Of(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        if (at < 0)
        {
            return string.Empty;
        }

        return OfDomain(address.AsSpan(at + 1));
    }

    /// <summary>The shared string for a domain given as a span (<see cref="Other"/> past the bound).</summary>
    public static string OfDomain(ReadOnlySpan<char> domain)
    {
        if (BySpan.TryGetValue(domain, out var known))
        {
            return known;
        }

        if (Known.Count >= MaxDomains)
        {
            return Other;
        }

        var lower = domain.ToString().ToLowerInvariant();
        return Known.GetOrAdd(lower, lower);
    }
}
