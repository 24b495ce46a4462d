namespace Sluice.Delivery.Alignment;

/// <summary>
/// Organizational domains (RFC 7489 §3.2: the public suffix plus one label) from the Public Suffix
/// List, read from the file Debian's <c>publicsuffix</c> package installs. Without the file, the last
/// two labels (which is wrong for suffixes such as co.uk, and said so at start).
/// </summary>
public sealed class PublicSuffixList
{
    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private readonly HashSet<string> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _wildcards = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _exceptions = new(StringComparer.OrdinalIgnoreCase);

    public PublicSuffixList(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            // Rules end at the first white space (the list's format).
            var space = line.IndexOfAny([' ', '\t']);
            var rule = space < 0 ? line : line[..space];
            if (rule.StartsWith('!'))
            {
                _exceptions.Add(rule[1..]);
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add(rule[2..]);
            }
            else
            {
                _rules.Add(rule);
            }
        }
    }

    /// <summary>Whether rules were loaded (false: the two-label fallback is in use).</summary>
    public bool IsLoaded => _rules.Count > 0;

    /// <summary>The list at <paramref name="path"/>, or an empty one (two-label fallback) when there is no file.</summary>
    public static PublicSuffixList Load(string path = DebianPath)
        => new(File.Exists(path) ? File.ReadLines(path) : []);

    /// <summary>The organizational domain of <paramref name="domain"/>: news.example.co.uk → example.co.uk.</summary>
    public string OrganizationalDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var labels = domain.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        if (labels.Length < 2)
        {
            return string.Join('.', labels);
        }

        var suffixStart = labels.Length - 1;
        if (IsLoaded)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                var candidate = string.Join('.', labels, i, labels.Length - i);
                if (_exceptions.Contains(candidate))
                {
                    suffixStart = i + 1;
                    break;
                }

                if (_rules.Contains(candidate) || (i + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels, i + 1, labels.Length - i - 1))))
                {
                    suffixStart = i;
                    break;
                }
            }
        }

        return suffixStart == 0 ? string.Join('.', labels) : string.Join('.', labels, suffixStart - 1, labels.Length - suffixStart + 1);
    }
}
