using System.Globalization;
using System.Text;
using Sluice.Core.Events;
using Sluice.Http;

namespace Sluice.Dashboard;

/// <summary>Message search (recipient, sender or @domain, subject, tag, state, time), newest first, a page of 50 at a time.</summary>
internal static class MessagesPage
{
    public static async Task<IResult> RenderAsync(HttpRequest request, IMessageIndex index, CancellationToken ct)
    {
        var q = request.Query;
        var body = new StringBuilder();
        body.Append("<form method=\"get\" action=\"/ui/messages\" class=\"search\" role=\"search\">");
        body.Append(Field("recipient", "recipient", q["recipient"]));
        body.Append(Field("sender", "sender or @domain", q["sender"]));
        body.Append(Field("subject", "subject contains", q["subject"]));
        body.Append(Field("tag", "tag", q["tag"]));
        body.Append("<select name=\"state\" aria-label=\"state\"><option value=\"\">any state</option>");
        foreach (var state in EventNames.RecipientStates)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(q["state"] == state ? " selected" : string.Empty)}>{state}</option>");
        }

        body.Append("</select><button type=\"submit\" id=\"search\">Search</button></form>");
        var (query, errors) = SearchQuery.Parse(q);
        if (query is null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\">{Html.E(string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))}</p>");
            return Layout.Page("Messages", "Messages", body.ToString(), status: StatusCodes.Status400BadRequest);
        }

        var page = await index.SearchAsync(query, ct);
        body.Append("<div class=\"scroll\"><table id=\"results\"><thead><tr><th>received</th><th>state</th><th>sender</th><th>recipients</th><th>subject</th><th>tags</th><th class=\"num\">size</th></tr></thead><tbody>");
        foreach (var m in page.Messages)
        {
            var recipients = string.Join("<br>", m.Recipients.Take(5).Select(r => $"{Html.E(r.Address)} {Html.Badge(r.State)}"));
            if (m.Recipients.Count > 5)
            {
                recipients += $"<br><span class=\"muted\">and {m.Recipients.Count - 5} more</span>";
            }

            body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/ui/messages/{Uri.EscapeDataString(m.Id)}\" class=\"message-link\" data-id=\"{Html.E(m.Id)}\">{Html.Time(m.ReceivedAt)}</a></td><td>{Html.Badge(m.State)}</td><td>{Html.E(m.Sender)}</td><td>{recipients}</td><td>{Html.E(m.Subject)}</td><td>{Html.E(string.Join(", ", m.Tags))}</td><td class=\"num\">{Html.Bytes(m.Size)}</td></tr>");
        }

        if (page.Messages.Count == 0)
        {
            body.Append("<tr><td colspan=\"7\" class=\"muted\">No message matches.</td></tr>");
        }

        body.Append("</tbody></table></div>");
        if (page.Next is { } next)
        {
            var more = Html.Query(("recipient", q["recipient"]), ("sender", q["sender"]), ("subject", q["subject"]), ("tag", q["tag"]), ("state", q["state"]), ("from", q["from"]), ("to", q["to"]), ("cursor", next.Token));
            body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/ui/messages{more}\" id=\"older\">Older messages →</a></p>");
        }

        return Layout.Page("Messages", "Messages", body.ToString());
    }

    private static string Field(string name, string label, string? value)
        => $"<input name=\"{name}\" placeholder=\"{Html.E(label)}\" aria-label=\"{Html.E(label)}\" value=\"{Html.E(value)}\">";
}
