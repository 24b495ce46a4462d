using System.Globalization;
using System.Text.Encodings.Web;

namespace Sluice.Dashboard;

/// <summary>Encoding and formatting for the dashboard's server-rendered pages: every value from data goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(string? text) => text is null ? string.Empty : HtmlEncoder.Default.Encode(text);

    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "—";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double share) => share.ToString("0.0%", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>A state as a coloured label (the CSS class is the state's name, from a fixed set).</summary>
    public static string Badge(string state)
    {
        var known = state is "delivered" or "queued" or "deferred" or "bounced" or "expired" or "mixed" or "held" or "in-flight" or "dead-letter" or "healthy" or "unhealthy" or "done" or "suppressed" or "received";
        return $"<span class=\"badge {(known ? state : "other")}\">{E(state)}</span>";
    }

    /// <summary>A card: a big number with its label; <paramref name="id"/> lets tests and scripts find it.</summary>
    public static string Card(string id, string label, string value)
        => $"<div class=\"card\"><div class=\"value\" id=\"{E(id)}\">{E(value)}</div><div class=\"label\">{E(label)}</div></div>";

    public static string Query(params (string Name, string? Value)[] parts)
    {
        var text = string.Join("&", parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
        return text.Length == 0 ? string.Empty : "?" + text;
    }
}
