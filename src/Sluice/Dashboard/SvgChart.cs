using System.Globalization;
using System.Text;

namespace Sluice.Dashboard;

/// <summary>
/// A line chart drawn on the server as inline SVG (no script): one polyline per series over
/// evenly spaced points, a zero line, the maximum on the axis, the first and last labels under it,
/// and a legend. It scales with the page width.
/// </summary>
internal static class SvgChart
{
    private const int Width = 640;
    private const int Height = 180;
    private const int Left = 44;
    private const int Bottom = 22;

    public sealed record Series(string Name, string CssClass, IReadOnlyList<double> Values);

    public static string Render(string title, IReadOnlyList<string> labels, IReadOnlyList<Series> series, Func<double, string>? format = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(series);
        format ??= v => v.ToString("0.#", CultureInfo.InvariantCulture);
        var max = 0.0;
        foreach (var s in series)
        {
            foreach (var v in s.Values)
            {
                max = Math.Max(max, v);
            }
        }

        max = max <= 0 ? 1 : max;
        var plotWidth = Width - Left - 8;
        var plotHeight = Height - Bottom - 8;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><figcaption>{Html.E(title)}</figcaption><svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Html.E(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{8 + plotHeight}\" x2=\"{Width - 8}\" y2=\"{8 + plotHeight}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"8\" x2=\"{Width - 8}\" y2=\"8\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 4}\" y=\"14\" text-anchor=\"end\">{Html.E(format(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 4}\" y=\"{8 + plotHeight}\" text-anchor=\"end\">0</text>");
        if (labels.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left}\" y=\"{Height - 4}\">{Html.E(labels[0])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Width - 8}\" y=\"{Height - 4}\" text-anchor=\"end\">{Html.E(labels[^1])}</text>");
        }

        foreach (var s in series)
        {
            if (s.Values.Count == 0)
            {
                continue;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line {s.CssClass}\" points=\"");
            var step = s.Values.Count > 1 ? plotWidth / (double)(s.Values.Count - 1) : 0;
            for (var i = 0; i < s.Values.Count; i++)
            {
                var x = Left + (i * step);
                var y = 8 + plotHeight - (s.Values[i] / max * plotHeight);
                svg.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
            }

            svg.Append("\"/>");
        }

        svg.Append("</svg><div class=\"legend\">");
        foreach (var s in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<span class=\"key {s.CssClass}\">{Html.E(s.Name)}</span>");
        }

        svg.Append("</div></figure>");
        return svg.ToString();
    }
}
