using System.Globalization;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.MtaSts;

/// <summary>
/// A domain's MTA-STS policy (RFC 8461 §3.2) as fetched: its id (from the TXT record), mode, the MX
/// patterns its mail may go to (<c>mail.example.com</c>, or <c>*.example.com</c> for one label), and
/// how long it may be cached.
/// </summary>
public sealed record MtaStsPolicy(string Domain, string Id, MtaStsMode Mode, IReadOnlyList<string> Mx, TimeSpan MaxAge, DateTimeOffset FetchedAt)
{
    /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (a year).</summary>
    public static readonly TimeSpan LongestMaxAge = TimeSpan.FromSeconds(31_557_600);

    public DateTimeOffset ExpiresAt => FetchedAt + MaxAge;

    /// <summary>Reads a policy body; null and the reason when it is not a valid STSv1 policy.</summary>
    public static (MtaStsPolicy? Policy, string? Error) Parse(string domain, string id, string text, DateTimeOffset fetchedAt)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? version = null;
        MtaStsMode? mode = null;
        TimeSpan? maxAge = null;
        var mx = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "version":
                    version = value;
                    break;
                case "mode":
                    mode = value switch { "enforce" => MtaStsMode.Enforce, "testing" => MtaStsMode.Testing, "none" => MtaStsMode.None, _ => null };
                    break;
                case "max_age":
                    maxAge = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(Math.Min(seconds, (long)LongestMaxAge.TotalSeconds)) : null;
                    break;
                case "mx":
                    mx.Add(value.ToLowerInvariant().TrimEnd('.'));
                    break;
            }
        }

        if (version != "STSv1")
        {
            return (null, "version is not STSv1");
        }

        if (mode is null)
        {
            return (null, "mode is missing or not enforce, testing or none");
        }

        if (maxAge is null)
        {
            return (null, "max_age is missing or not a number of seconds");
        }

        if (mx.Count == 0 && mode != MtaStsMode.None)
        {
            return (null, "no mx pattern");
        }

        return (new MtaStsPolicy(domain, id, mode.Value, mx, maxAge.Value, fetchedAt), null);
    }

    /// <summary>RFC 8461 §4.1: an MX host matches a pattern exactly, or a <c>*.</c> pattern by its leftmost label only.</summary>
    public bool Allows(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.');
        foreach (var pattern in Mx)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && string.Equals(name[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            else if (string.Equals(name, pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The hosts the policy allows, in their order.</summary>
    public List<MxHost> Filter(IReadOnlyList<MxHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var allowed = new List<MxHost>(hosts.Count);
        foreach (var host in hosts)
        {
            if (Allows(host.Name))
            {
                allowed.Add(host);
            }
        }

        return allowed;
    }
}
