using System.Globalization;
using System.Text;
using Sluice.Core.Events;
using Sluice.Core.Queue;

namespace Sluice.Dashboard;

/// <summary>Rates of the last hour (per minute) and day (per hour), the queue, and the node's resources; refreshes itself every 15 seconds.</summary>
internal static class OverviewPage
{
    public static async Task<IResult> RenderAsync(EventRates rates, IMessageIndex index, IMessageQueue queue, ResourceSampler resources, TimeProvider time, CancellationToken ct)
    {
        var body = new StringBuilder();
        var minutes = rates.Series();
        long Total(DeliveryEventType type) => minutes.Sum(m => m.Counts[(int)type]);
        var lastMinute = minutes[^2].Counts;
        body.Append("<h2>Last hour</h2><div class=\"cards\">");
        body.Append(Html.Card("count-received", "received", Html.Number(Total(DeliveryEventType.Reception))));
        body.Append(Html.Card("count-delivered", "delivered", Html.Number(Total(DeliveryEventType.Delivery))));
        body.Append(Html.Card("count-deferred", "deferred", Html.Number(Total(DeliveryEventType.TransientFailure))));
        body.Append(Html.Card("count-bounced", "bounced", Html.Number(Total(DeliveryEventType.Bounce))));
        body.Append(Html.Card("count-expired", "expired", Html.Number(Total(DeliveryEventType.Expiration))));
        body.Append(Html.Card("rate-delivered", "delivered in the last full minute", Html.Number(lastMinute[(int)DeliveryEventType.Delivery])));
        body.Append("</div><div class=\"charts\">");
        var minuteLabels = minutes.ConvertAll(m => m.Minute.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture));
        body.Append(SvgChart.Render("Recipients per minute (last hour, UTC)", minuteLabels, Series(minutes.ConvertAll(m => m.Counts))));

        var now = time.GetUtcNow();
        var hours = await index.StatsAsync(new StatsQuery(now.AddHours(-23), now, StatsInterval.Hour), ct);
        var byHour = Enumerable.Range(0, 24).Select(i => now.AddHours(i - 23)).Select(h => new DateTimeOffset(h.Year, h.Month, h.Day, h.Hour, 0, 0, TimeSpan.Zero)).ToList();
        var hourCounts = byHour.ConvertAll(h => hours.FirstOrDefault(r => r.Start == h) is { } r
            ? new long[] { r.Received, r.Delivered, r.Deferred, r.Bounced }
            : new long[4]);
        body.Append(SvgChart.Render(
            "Recipients per hour (last 24 hours, UTC)",
            byHour.ConvertAll(h => h.UtcDateTime.ToString("HH:00", CultureInfo.InvariantCulture)),
            [
                new("received", "received", hourCounts.ConvertAll(c => (double)c[0])),
                new("delivered", "delivered", hourCounts.ConvertAll(c => (double)c[1])),
                new("deferred", "deferred", hourCounts.ConvertAll(c => (double)c[2])),
                new("bounced", "bounced", hourCounts.ConvertAll(c => (double)c[3])),
            ]));
        body.Append("</div>");

        var summary = await queue.GetSummaryAsync(ct);
        body.Append("<h2>Queue</h2><div class=\"cards\">");
        body.Append(Html.Card("queue-total", "messages queued", Html.Number(summary.Total)));
        foreach (var (state, count) in summary.ByState.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            body.Append(Html.Card("queue-" + state, state, Html.Number(count)));
        }

        body.Append(Html.Card("queue-oldest", "oldest", Html.Time(summary.OldestReceivedAt)));
        body.Append("</div>");

        var samples = resources.Samples;
        body.Append("<h2>Resources</h2>");
        if (samples.Count == 0)
        {
            body.Append("<p class=\"muted\">The first sample comes within 10 seconds of start.</p>");
        }
        else
        {
            var last = samples[^1];
            body.Append("<div class=\"cards\">");
            body.Append(Html.Card("cpu", "CPU (all cores)", Html.Percent(last.Cpu)));
            body.Append(Html.Card("memory", "memory (working set)", Html.Bytes(last.WorkingSet)));
            body.Append(Html.Card("heap", "managed heap", Html.Bytes(last.ManagedHeap)));
            body.Append(Html.Card("disk-free", "disk free", last.DiskTotal > 0 ? $"{Html.Bytes(last.DiskFree)} ({Html.Percent(last.DiskFree / (double)last.DiskTotal)})" : "—"));
            body.Append("</div><div class=\"charts\">");
            body.Append(SvgChart.Render(
                "CPU, share of all cores (last hour)",
                [.. samples.Select(s => s.At.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture))],
                [new("CPU", "cpu", [.. samples.Select(s => s.Cpu * 100)])],
                v => v.ToString("0", CultureInfo.InvariantCulture) + "%"));
            body.Append("</div>");
        }

        return Layout.Page("Overview", "Overview", body.ToString(), refreshSeconds: 15);
    }

    private static List<SvgChart.Series> Series(List<long[]> counts) =>
    [
        new("received", "received", counts.ConvertAll(c => (double)c[(int)DeliveryEventType.Reception])),
        new("delivered", "delivered", counts.ConvertAll(c => (double)c[(int)DeliveryEventType.Delivery])),
        new("deferred", "deferred", counts.ConvertAll(c => (double)c[(int)DeliveryEventType.TransientFailure])),
        new("bounced", "bounced", counts.ConvertAll(c => (double)c[(int)DeliveryEventType.Bounce])),
    ];
}
