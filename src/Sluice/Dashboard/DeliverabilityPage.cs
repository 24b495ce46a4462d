using System.Globalization;
using System.Text;
using Sluice.Core.Events;

namespace Sluice.Dashboard;

/// <summary>Bounce and complaint rates per sending domain over the last 24 hours, and the most frequent reasons for bounces and deferrals.</summary>
internal static class DeliverabilityPage
{
    public static async Task<IResult> RenderAsync(IMessageIndex index, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now.AddHours(-24);
        var rows = await index.StatsAsync(new StatsQuery(since, now, StatsInterval.Day, StatsBreakdown.SenderDomain), ct);
        var byDomain = rows.GroupBy(r => r.SenderDomain ?? string.Empty, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Domain: g.Key, Received: g.Sum(r => r.Received), Delivered: g.Sum(r => r.Delivered), Deferred: g.Sum(r => r.Deferred), Bounced: g.Sum(r => r.Bounced), Expired: g.Sum(r => r.Expired), Complained: g.Sum(r => r.Complained), Suppressed: g.Sum(r => r.Suppressed)))
            .OrderByDescending(d => d.Received)
            .ToList();
        var body = new StringBuilder();
        var received = byDomain.Sum(d => d.Received);
        var bounced = byDomain.Sum(d => d.Bounced + d.Expired);
        var delivered = byDomain.Sum(d => d.Delivered);
        var complained = byDomain.Sum(d => d.Complained);
        body.Append("<div class=\"cards\">");
        body.Append(Html.Card("bounce-rate", "bounce rate, 24 h (bounced and expired / settled)", Html.Percent(Rate(bounced, delivered + bounced))));
        body.Append(Html.Card("complaint-rate", "complaint rate, 24 h (complaints / delivered)", Html.Percent(Rate(complained, delivered))));
        body.Append(Html.Card("received-24h", "recipients received, 24 h", Html.Number(received)));
        body.Append("</div>");

        body.Append("<h2>By sending domain (last 24 hours)</h2><div class=\"scroll\"><table id=\"by-domain\"><thead><tr><th>sending domain</th><th class=\"num\">received</th><th class=\"num\">delivered</th><th class=\"num\">deferred</th><th class=\"num\">bounced</th><th class=\"num\">expired</th><th class=\"num\">suppressed</th><th class=\"num\">complaints</th><th class=\"num\">bounce rate</th><th class=\"num\">complaint rate</th></tr></thead><tbody>");
        foreach (var d in byDomain)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(d.Domain.Length == 0 ? "(null sender)" : d.Domain)}</td><td class=\"num\">{Html.Number(d.Received)}</td><td class=\"num\">{Html.Number(d.Delivered)}</td><td class=\"num\">{Html.Number(d.Deferred)}</td><td class=\"num\">{Html.Number(d.Bounced)}</td><td class=\"num\">{Html.Number(d.Expired)}</td><td class=\"num\">{Html.Number(d.Suppressed)}</td><td class=\"num\">{Html.Number(d.Complained)}</td><td class=\"num\">{Html.Percent(Rate(d.Bounced + d.Expired, d.Delivered + d.Bounced + d.Expired))}</td><td class=\"num\">{Html.Percent(Rate(d.Complained, d.Delivered))}</td></tr>");
        }

        if (byDomain.Count == 0)
        {
            body.Append("<tr><td colspan=\"10\" class=\"muted\">No mail in the last 24 hours.</td></tr>");
        }

        body.Append("</tbody></table></div>");
        body.Append(await ReasonsAsync(index, DeliveryEventType.Bounce, "Top bounce reasons (24 h)", since, now, ct));
        body.Append(await ReasonsAsync(index, DeliveryEventType.TransientFailure, "Top deferral reasons (24 h)", since, now, ct));
        return Layout.Page("Deliverability", "Deliverability", body.ToString());
    }

    private static async Task<string> ReasonsAsync(IMessageIndex index, DeliveryEventType type, string title, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        var reasons = await index.TopReasonsAsync(type, since, until, 10, ct);
        var html = new StringBuilder($"<h2>{Html.E(title)}</h2><div class=\"scroll\"><table><thead><tr><th>classification</th><th class=\"num\">count</th><th>example reply</th></tr></thead><tbody>");
        foreach (var r in reasons)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(r.Classification)}</td><td class=\"num\">{Html.Number(r.Count)}</td><td class=\"reply\">{Html.E(r.ExampleReply)}</td></tr>");
        }

        if (reasons.Count == 0)
        {
            html.Append("<tr><td colspan=\"3\" class=\"muted\">None.</td></tr>");
        }

        return html.Append("</tbody></table></div>").ToString();
    }

    private static double Rate(long part, long whole) => whole == 0 ? 0 : part / (double)whole;
}
