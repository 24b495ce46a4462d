using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sluice.Top;

/// <summary>One frame of <c>sluice top</c>: rates between two samples, the queue by destination, the relay pools and the node's resources.</summary>
internal static class TopView
{
    private const int Destinations = 15;

    public static IRenderable Render(Uri node, MetricsSample earlier, MetricsSample now, JsonElement summary, JsonElement pools)
    {
        var rates = new Table().Title("[bold]Rates[/]").AddColumn("").AddColumn(new TableColumn("per second").RightAligned());
        rates.AddRow("accepted", Rate(now, earlier, "sluice_messages_accepted_total"));
        rates.AddRow("rejected", Rate(now, earlier, "sluice_messages_rejected_total"));
        rates.AddRow("delivered", Rate(now, earlier, "sluice_delivery_outcomes_total", "outcome=\"delivered\""));
        rates.AddRow("deferred", Rate(now, earlier, "sluice_delivery_outcomes_total", "outcome=\"transient\""));
        rates.AddRow("bounced", Rate(now, earlier, "sluice_delivery_outcomes_total", "outcome=\"bounced\""));
        rates.AddRow("expired", Rate(now, earlier, "sluice_delivery_outcomes_total", "outcome=\"expired\""));
        rates.AddRow("SMTP connections in", Rate(now, earlier, "sluice_smtp_connections_total"));
        rates.AddRow("SMTP connections out", Rate(now, earlier, "sluice_delivery_connections_opened_total"));

        var queue = new Table().Title("[bold]Queue[/]").AddColumn("destination").AddColumn(new TableColumn("messages").RightAligned());
        queue.Caption(string.Create(CultureInfo.InvariantCulture, $"{summary.GetProperty("total").GetInt64()} queued, {now.Sum("sluice_delivery_in_hand"):0} in hand"));
        var domains = summary.GetProperty("byDomain").EnumerateObject().Select(d => (d.Name, Count: d.Value.GetInt64())).OrderByDescending(d => d.Count).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
        foreach (var (name, count) in domains.Take(Destinations))
        {
            queue.AddRow(Markup.Escape(name), count.ToString(CultureInfo.InvariantCulture));
        }

        if (domains.Count > Destinations)
        {
            queue.AddRow($"… {domains.Count - Destinations} more", string.Empty);
        }

        var members = new Table().Title("[bold]Relay pools[/]").AddColumn("pool").AddColumn("member").AddColumn("health").AddColumn(new TableColumn("in flight").RightAligned()).AddColumn(new TableColumn("fail %").RightAligned());
        foreach (var pool in pools.ValueKind == JsonValueKind.Array ? pools.EnumerateArray() : default)
        {
            foreach (var m in pool.GetProperty("members").EnumerateArray())
            {
                var health = m.GetProperty("health").GetString() ?? "?";
                members.AddRow(
                    Markup.Escape(pool.GetProperty("name").GetString() ?? string.Empty),
                    Markup.Escape(m.GetProperty("name").GetString() ?? string.Empty),
                    health == "Healthy" ? "[green]Healthy[/]" : $"[red]{Markup.Escape(health)}[/]",
                    m.GetProperty("inFlight").GetInt32().ToString(CultureInfo.InvariantCulture),
                    (m.GetProperty("recentFailureRate").GetDouble() * 100).ToString("0.0", CultureInfo.InvariantCulture));
            }
        }

        if (members.Rows.Count == 0)
        {
            members.AddRow(pools.ValueKind == JsonValueKind.Array ? "(none configured)" : "(delivery off)", string.Empty, string.Empty, string.Empty, string.Empty);
        }

        var size = now.Sum("sluice_disk_size");
        var resources = new Table().Title("[bold]Resources[/]").AddColumn("").AddColumn(new TableColumn("now").RightAligned());
        resources.AddRow("CPU (cores)", Rate(now, earlier, "dotnet_process_cpu_time_total"));
        resources.AddRow("memory", Bytes(now.Sum("dotnet_process_memory_working_set")));
        resources.AddRow("disk free", size > 0 ? string.Create(CultureInfo.InvariantCulture, $"{Bytes(now.Sum("sluice_disk_free"))} ({now.Sum("sluice_disk_free") / size:P0})") : "?");
        resources.AddRow("data directory", Bytes(now.Sum("sluice_data_size")));
        resources.AddRow("SMTP connections open", now.Sum("sluice_smtp_connections_current").ToString("0", CultureInfo.InvariantCulture));

        return new Rows(
            new Markup(string.Create(CultureInfo.InvariantCulture, $"[bold]sluice top[/] {Markup.Escape(node.ToString())} — {now.At:yyyy-MM-dd HH:mm:ss}Z, over {(now.At - earlier.At).TotalSeconds:0.#} s")),
            rates,
            queue,
            members,
            resources);
    }

    private static string Rate(MetricsSample now, MetricsSample earlier, string name, string? label = null)
        => now.Rate(earlier, name, label).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 20):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0} KiB"),
    };
}
