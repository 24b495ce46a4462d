using Sluice.Delivery.Dns;

namespace Sluice.Delivery.Shaping;

/// <summary>How providers are recognised: by the names of a site's MX hosts.</summary>
public static class MxSuffixes
{
    /// <summary>True when every host's name ends with one of <paramref name="suffixes"/> at a label boundary (".google.com" and "google.com" both match "aspmx.l.google.com").</summary>
    public static bool MatchAll(IReadOnlyList<string> suffixes, IReadOnlyList<MxHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(suffixes);
        ArgumentNullException.ThrowIfNull(hosts);
        if (hosts.Count == 0 || suffixes.Count == 0)
        {
            return false;
        }

        foreach (var host in hosts)
        {
            var name = host.Name.TrimEnd('.');
            var any = false;
            foreach (var suffix in suffixes)
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
}
