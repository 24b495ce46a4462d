using System.Text;

namespace Sluice.Dashboard;

/// <summary>The page shell: head (viewport for phones, the stylesheet, an optional refresh), navigation, a notice, the body.</summary>
internal static class Layout
{
    private static readonly (string Path, string Name)[] Pages =
    [
        ("/ui", "Overview"),
        ("/ui/queue", "Queue"),
        ("/ui/pools", "Pools"),
        ("/ui/deliverability", "Deliverability"),
        ("/ui/messages", "Messages"),
    ];

    public static IResult Page(string title, string active, string body, string? notice = null, int? refreshSeconds = null, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds is { } seconds)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{seconds}\">");
        }

        html.Append("<link rel=\"stylesheet\" href=\"/ui/static/site.css\">");
        html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<title>{Html.E(title)} · Sluice</title></head><body>");
        if (active.Length > 0)
        {
            html.Append("<header><nav><span class=\"brand\">Sluice</span>");
            foreach (var (path, name) in Pages)
            {
                html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<a href=\"{path}\"{(name == active ? " aria-current=\"page\"" : string.Empty)}>{name}</a>");
            }

            html.Append("<form method=\"post\" action=\"/ui/logout\" class=\"logout\"><button type=\"submit\">Sign out</button></form></nav></header>");
        }

        html.Append("<main>");
        html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<h1>{Html.E(title)}</h1>");
        if (notice is not null)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<p class=\"notice\" role=\"status\">{Html.E(notice)}</p>");
        }

        html.Append(body);
        html.Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>No script, styles only from this node, forms only to it, never framed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public const string Stylesheet = """
        :root { --fg: #1d2330; --muted: #5d6778; --bg: #f5f6f8; --card: #fff; --line: #dde1e7; --accent: #2458c6;
                --ok: #1f8a4c; --warn: #b7791f; --bad: #c53030; --info: #2b6cb0; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        header { background: #152033; }
        nav { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .9rem; padding: .6rem 1rem; max-width: 1200px; margin: 0 auto; }
        nav a { color: #c9d4ea; text-decoration: none; padding: .2rem 0; }
        nav a[aria-current=page] { color: #fff; border-bottom: 2px solid #7ea6ff; }
        .brand { color: #fff; font-weight: 700; margin-right: .5rem; }
        .logout { margin-left: auto; }
        .logout button { background: none; border: 1px solid #51607a; color: #c9d4ea; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .6rem; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: .75rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
        .card .value { font-size: 1.5rem; font-weight: 650; }
        .card .label { color: var(--muted); font-size: .85rem; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: .75rem; margin-top: .75rem; }
        figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
        figcaption { font-weight: 600; margin-bottom: .3rem; }
        svg { width: 100%; height: auto; display: block; }
        .axis { stroke: #9aa3b2; stroke-width: 1; } .grid { stroke: #e5e8ee; stroke-dasharray: 4 4; }
        .tick { font-size: 11px; fill: var(--muted); }
        .line { fill: none; stroke-width: 2; }
        .line.received, .key.received::before { stroke: var(--info); background: var(--info); }
        .line.delivered, .key.delivered::before { stroke: var(--ok); background: var(--ok); }
        .line.deferred, .key.deferred::before { stroke: var(--warn); background: var(--warn); }
        .line.bounced, .key.bounced::before { stroke: var(--bad); background: var(--bad); }
        .line.cpu, .key.cpu::before { stroke: #6b46c1; background: #6b46c1; }
        .legend { display: flex; flex-wrap: wrap; gap: .8rem; font-size: .85rem; color: var(--muted); }
        .key::before { content: ""; display: inline-block; width: .8rem; height: .25rem; margin-right: .3rem; vertical-align: middle; }
        .scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.reply { max-width: 28rem; overflow-wrap: anywhere; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; background: #e8ebf0; }
        .badge.delivered, .badge.healthy { background: #dcf3e5; color: var(--ok); }
        .badge.deferred, .badge.held, .badge.queued, .badge.in-flight { background: #fbefd9; color: var(--warn); }
        .badge.bounced, .badge.expired, .badge.unhealthy, .badge.dead-letter, .badge.suppressed { background: #fde2e2; color: var(--bad); }
        form.inline { display: inline-flex; gap: .3rem; align-items: center; margin: 0 .3rem .2rem 0; }
        form.search { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: .5rem; margin-bottom: 1rem; }
        input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        input.minutes { width: 4.5rem; }
        .notice { background: #e6f0ff; border: 1px solid #b9d0fb; padding: .5rem .8rem; border-radius: 6px; }
        .error { background: #fde8e8; border: 1px solid #f5b5b5; padding: .5rem .8rem; border-radius: 6px; }
        .muted { color: var(--muted); }
        .login { max-width: 380px; margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem; }
        .login input { width: 100%; margin: .4rem 0 .8rem; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        @media (max-width: 600px) { main { padding: .6rem; } h1 { font-size: 1.2rem; } th, td { padding: .35rem .4rem; } }
        """;
}
