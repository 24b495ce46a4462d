using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Sluice.Core.Queue;
using Sluice.Delivery.Queues;
using Sluice.Http;

namespace Sluice.Dashboard;

/// <summary>The queue by destination domain, with suspend (for some minutes), resume and flush per destination, and the suspensions in force.</summary>
internal static class QueuePage
{
    public static async Task<IResult> RenderAsync(string? notice, IMessageQueue queue, QueueActions actions, [FromServices] ReadyQueues? queues, CancellationToken ct)
    {
        var summary = await queue.GetSummaryAsync(ct);
        var suspended = actions.Control?.Suspended ?? new Dictionary<string, DateTimeOffset>();
        var body = new StringBuilder();
        body.Append("<div class=\"cards\">");
        body.Append(Html.Card("queue-total", "messages queued", Html.Number(summary.Total)));
        body.Append(Html.Card("queue-destinations", "destination domains", Html.Number(summary.ByDomain.Count)));
        body.Append(Html.Card("queue-suspended", "suspended destinations", Html.Number(suspended.Count)));
        body.Append("</div>");
        if (actions.Control is null)
        {
            body.Append("<p class=\"muted\">This node does not deliver (Delivery:Enabled=false): nothing to suspend or flush.</p>");
        }

        body.Append("<h2>By destination</h2><div class=\"scroll\"><table id=\"destinations\"><thead><tr><th>destination</th><th class=\"num\">messages</th><th>suspended until</th><th>actions</th></tr></thead><tbody>");
        var destinations = summary.ByDomain.Keys.Union(suspended.Keys, StringComparer.OrdinalIgnoreCase).OrderByDescending(d => summary.ByDomain.GetValueOrDefault(d)).ThenBy(d => d, StringComparer.OrdinalIgnoreCase);
        var any = false;
        foreach (var destination in destinations)
        {
            any = true;
            var until = suspended.TryGetValue(destination, out var u) ? u : (DateTimeOffset?)null;
            body.Append(CultureInfo.InvariantCulture, $"<tr data-destination=\"{Html.E(destination)}\"><td>{Html.E(destination)}</td><td class=\"num\">{Html.Number(summary.ByDomain.GetValueOrDefault(destination))}</td><td>{(until is null ? "—" : Html.Time(until))}</td><td>");
            if (actions.Control is not null)
            {
                body.Append(until is null
                    ? Form("suspend", destination, "Suspend", "<input class=\"minutes\" name=\"minutes\" type=\"number\" min=\"1\" value=\"60\" aria-label=\"minutes\">")
                    : Form("resume", destination, "Resume", string.Empty));
                body.Append(Form("flush", destination, "Retry now", string.Empty, secondary: true));
            }

            body.Append("</td></tr>");
        }

        if (!any)
        {
            body.Append("<tr><td colspan=\"4\" class=\"muted\">The queue is empty.</td></tr>");
        }

        body.Append("</tbody></table></div>");
        body.Append(ReplyShaping(queues));
        if (actions.Control is not null)
        {
            body.Append("<h2>Suspend another destination</h2><form method=\"post\" action=\"/ui/queue/suspend\" class=\"inline\"><input name=\"destination\" placeholder=\"domain or site\" required aria-label=\"destination\"><input class=\"minutes\" name=\"minutes\" type=\"number\" min=\"1\" value=\"60\" aria-label=\"minutes\"><button type=\"submit\">Suspend</button></form>");
        }

        return Layout.Page("Queue", "Queue", body.ToString(), notice);
    }

    /// <summary>A change, then back to the queue page with what was done (post, redirect, get).</summary>
    public static async Task<IResult> ActAsync(string action, HttpContext context, QueueActions actions, CancellationToken ct)
    {
        var form = await context.Request.ReadFormAsync(ct);
        var destination = form["destination"].ToString().Trim();
        if (destination.Length == 0)
        {
            return Back("Name a destination.");
        }

        switch (action)
        {
            case "suspend":
                var minutes = int.TryParse(form["minutes"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 60;
                return Back(await actions.SuspendAsync(destination, minutes) is { } until
                    ? $"Suspended {destination} until {Html.Time(until)}."
                    : "This node does not deliver.");
            case "resume":
                return Back(await actions.ResumeAsync(destination) ? $"Resumed {destination}: its mail is due again." : $"{destination} was not suspended.");
            case "flush":
                var count = await actions.FlushAsync(new QueueFilter(Domain: destination), ct);
                return Back($"{count} messages for {destination} are due now.");
            default:
                return Results.NotFound();
        }
    }

    /// <summary>Ready queues a reply rule acts on now: lowered limits, rests, senders held.</summary>
    private static string ReplyShaping(ReadyQueues? queues)
    {
        var html = new StringBuilder("<h2>Reply-driven shaping in force</h2><div class=\"scroll\"><table id=\"reply-shaping\"><thead><tr><th>queue</th><th>rule</th><th>in force</th><th>until</th><th>reply</th></tr></thead><tbody>");
        var any = false;
        foreach (var q in queues?.States() ?? [])
        {
            if (q.Adjustment is { } a)
            {
                any = true;
                var limits = string.Join(", ", new[] { a.MaxMessageRate is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:0.##} msg/s") : null, a.MaxConnections is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c} connections") : null }.Where(x => x is not null));
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(q.Key.ToString())}</td><td>{Html.E(a.Rule)}</td><td>{Html.E(limits)}</td><td>{Html.Time(a.Until)}</td><td class=\"reply\">{Html.E(a.Reply)}</td></tr>");
            }

            foreach (var (sender, until) in q.HeldSenders)
            {
                any = true;
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(q.Key.ToString())}</td><td>sender held</td><td>{Html.E(sender)}</td><td>{Html.Time(until)}</td><td></td></tr>");
            }

            if (q.RestingUntil is { } resting)
            {
                any = true;
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(q.Key.ToString())}</td><td>resting</td><td>nothing sent</td><td>{Html.Time(resting)}</td><td></td></tr>");
            }
        }

        if (!any)
        {
            html.Append("<tr><td colspan=\"5\" class=\"muted\">Every destination is sent to as configured.</td></tr>");
        }

        return html.Append("</tbody></table></div>").ToString();
    }

    private static IResult Back(string notice) => Results.Redirect("/ui/queue" + Html.Query(("notice", notice)));

    private static string Form(string action, string destination, string label, string extra, bool secondary = false)
        => $"<form method=\"post\" action=\"/ui/queue/{action}\" class=\"inline\"><input type=\"hidden\" name=\"destination\" value=\"{Html.E(destination)}\">{extra}<button type=\"submit\"{(secondary ? " class=\"secondary\"" : string.Empty)} name=\"do\" value=\"{action}\">{label}</button></form>";
}
