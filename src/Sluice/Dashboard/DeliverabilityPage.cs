using System.Globalization;
using System.Text;
using Sluice.Core.Events;
using Sluice.Delivery.Reputation;
using Sluice.Http;

namespace Sluice.Dashboard;

/// <summary>
/// Bounce and complaint rates per sending domain over the last 24 hours, the senders paused now (with
/// resume), rates per sender (domain, tag, API key) over the reputation window, and the most frequent
/// reasons for bounces and deferrals.
/// </summary>
internal static class DeliverabilityPage
{
    public static async Task<IResult> RenderAsync(IMessageIndex index, SenderReputation reputation, TimeProvider time, string? notice, CancellationToken ct)
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
        body.Append(Senders(reputation));
        body.Append(await ReasonsAsync(index, DeliveryEventType.Bounce, "Top bounce reasons (24 h)", since, now, ct));
        body.Append(await ReasonsAsync(index, DeliveryEventType.TransientFailure, "Top deferral reasons (24 h)", since, now, ct));
        return Layout.Page("Deliverability", "Deliverability", body.ToString(), notice);
    }

    /// <summary>Resume a paused sender (post, redirect, get).</summary>
    public static async Task<IResult> ResumeAsync(HttpContext context, QueueActions actions, CancellationToken ct)
    {
        var form = await context.Request.ReadFormAsync(ct);
        var text = form["sender"].ToString().Trim();
        var notice = !SenderKey.TryParse(text, out var key) ? "Name a sender as scope:value."
            : await actions.ResumeSenderAsync(key) is not null ? $"Resumed {key}: its held mail goes now."
            : $"{key} was not paused.";
        return Results.Redirect("/ui/deliverability" + Html.Query(("notice", notice)));
    }

    private static string Senders(SenderReputation reputation)
    {
        var html = new StringBuilder("<h2>Paused senders</h2><div class=\"scroll\"><table id=\"paused\"><thead><tr><th>sender</th><th>since</th><th>until</th><th>cause</th><th>reason</th><th></th></tr></thead><tbody>");
        var pauses = reputation.Pauses();
        foreach (var p in pauses)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(p.Key.ToString())}</td><td>{Html.Time(p.Since)}</td><td>{Html.Time(p.Until)}</td><td>{Html.E(SenderReputation.CauseName(p.Cause))}</td><td class=\"reply\">{Html.E(p.Reason)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td><form method=\"post\" action=\"/ui/deliverability/resume\" class=\"inline\"><input type=\"hidden\" name=\"sender\" value=\"{Html.E(p.Key.ToString())}\"><button type=\"submit\">Resume</button></form></td></tr>");
        }

        if (pauses.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\" class=\"muted\">No sender is paused.</td></tr>");
        }

        html.Append("</tbody></table></div>");
        var window = reputation.Options.Window;
        var rows = reputation.Rates.Snapshot(window);
        rows.Sort((a, b) => b.Totals.Sent.CompareTo(a.Totals.Sent));
        html.Append(CultureInfo.InvariantCulture, $"<h2>Senders (last {Html.E(window.ToString("c", CultureInfo.InvariantCulture))})</h2><div class=\"scroll\"><table id=\"senders\"><thead><tr><th>sender</th><th class=\"num\">sent</th><th class=\"num\">bounced</th><th class=\"num\">complaints</th><th class=\"num\">bounce rate</th><th class=\"num\">complaint rate</th></tr></thead><tbody>");
        for (var i = 0; i < rows.Count && i < 50; i++)
        {
            var (key, t) = rows[i];
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(key.ToString())}</td><td class=\"num\">{Html.Number(t.Sent)}</td><td class=\"num\">{Html.Number(t.Bounced)}</td><td class=\"num\">{Html.Number(t.Complained)}</td><td class=\"num\">{Html.Percent(t.BounceRate)}</td><td class=\"num\">{Html.Percent(t.ComplaintRate)}</td></tr>");
        }

        if (rows.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\" class=\"muted\">No mail in the window.</td></tr>");
        }

        return html.Append("</tbody></table></div>").ToString();
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
