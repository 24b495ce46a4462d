using System.Globalization;

namespace Sluice.Top;

/// <summary>
/// One reading of a node's <c>/metrics</c> (Prometheus text format 0.0.4): each series' value by
/// its name and label text, and sums over a name's series, filtered by one label if asked.
/// </summary>
internal sealed class MetricsSample(DateTimeOffset at, Dictionary<string, List<(string Labels, double Value)>> series)
{
    public DateTimeOffset At { get; } = at;

    public static MetricsSample Parse(string text, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        var series = new Dictionary<string, List<(string, double)>>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // NAME{LABELS} VALUE or NAME VALUE; a label value may hold spaces, so the value is after the last space.
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var head = line[..space];
            var brace = head.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? head : head[..brace];
            var labels = brace < 0 ? string.Empty : head[(brace + 1)..^1];
            if (!series.TryGetValue(name, out var list))
            {
                series[name] = list = [];
            }

            list.Add((labels, value));
        }

        return new MetricsSample(at, series);
    }

    /// <summary>The sum of a name's series; with <paramref name="label"/> (<c>name="value"</c>), of those carrying it.</summary>
    public double Sum(string name, string? label = null)
    {
        if (!series.TryGetValue(name, out var list))
        {
            return 0;
        }

        var sum = 0.0;
        foreach (var (labels, value) in list)
        {
            if (label is null || labels.Contains(label, StringComparison.Ordinal))
            {
                sum += value;
            }
        }

        return sum;
    }

    /// <summary>Per second between <paramref name="earlier"/> and this sample (0 when a counter went back: the node restarted).</summary>
    public double Rate(MetricsSample earlier, string name, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var seconds = (At - earlier.At).TotalSeconds;
        var delta = Sum(name, label) - earlier.Sum(name, label);
        return seconds <= 0 || delta < 0 ? 0 : delta / seconds;
    }
}
