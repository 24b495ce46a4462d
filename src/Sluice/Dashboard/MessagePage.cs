using System.Globalization;
using System.Text;
using Sluice.Core.Events;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Dashboard;

/// <summary>One message: what is known of it, where each recipient stands, and its timeline.</summary>
internal static class MessagePage
{
    public static async Task<IResult> RenderAsync(string id, IMessageIndex index, IMessageQueue queue, CancellationToken ct)
    {
        var (entry, message, timeline) = await Http.MessageLookup.LoadAsync(id, queue, index, ct);
        if (message is null && entry is null && timeline.Count == 0)
        {
            return Layout.Page("Message not found", "Messages", $"<p class=\"error\">No message {Html.E(id)}.</p>", status: StatusCodes.Status404NotFound);
        }

        var body = new StringBuilder("<dl class=\"facts\">");
        Fact(body, "id", Html.E(id));
        Fact(body, "state", Html.Badge(message?.State ?? "queued") + (entry is null ? " <span class=\"muted\">(no longer in the queue)</span>" : $" <span class=\"muted\">(in the queue: {Html.E(QueueStateNames.Name(entry.State))}, attempt {entry.Attempts}, next {(Http.QueueEntryView.NextAttempt(entry) is { } next ? Html.Time(next) : "unknown here")})</span>"));
        Fact(body, "received", Html.Time(message?.ReceivedAt ?? entry?.ReceivedAt));
        Fact(body, "sender", Html.E(message?.Sender ?? entry?.Envelope.Sender));
        Fact(body, "subject", Html.E(message?.Subject));
        Fact(body, "tags", Html.E(string.Join(", ", message?.Tags ?? entry?.Envelope.Tags ?? [])));
        Fact(body, "size", message is null ? "—" : Html.Bytes(message.Size));
        body.Append("</dl>");

        body.Append("<h2>Recipients</h2><div class=\"scroll\"><table id=\"recipients\"><thead><tr><th>recipient</th><th>state</th><th>last reply</th><th>since</th></tr></thead><tbody>");
        foreach (var r in message?.Recipients ?? [])
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(r.Address)}</td><td>{Html.Badge(r.State)}</td><td class=\"reply\">{Html.E(r.Reply)}</td><td>{Html.Time(r.UpdatedAt)}</td></tr>");
        }

        body.Append("</tbody></table></div>");
        body.Append("<h2>Timeline</h2><div class=\"scroll\"><table id=\"timeline\"><thead><tr><th>time</th><th>event</th><th>recipient</th><th>destination</th><th>remote MTA</th><th class=\"num\">attempt</th><th>reply</th><th>classification</th><th class=\"num\">took</th></tr></thead><tbody>");
        foreach (var e in timeline)
        {
            var took = e.DurationMs is { } ms ? ms.ToString("0", CultureInfo.InvariantCulture) + " ms" : string.Empty;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Time(e.Time)}</td><td>{Html.Badge(EventNames.Name(e.Type))}</td><td>{Html.E(e.Recipient)}</td><td>{Html.E(e.Site)}</td><td>{Html.E(e.RemoteMta)}</td><td class=\"num\">{(e.Attempt > 0 ? e.Attempt.ToString(CultureInfo.InvariantCulture) : string.Empty)}</td><td class=\"reply\">{Html.E(e.Reply)}</td><td>{Html.E(e.Classification)}</td><td class=\"num\">{took}</td></tr>");
        }

        body.Append("</tbody></table></div>");
        return Layout.Page("Message", "Messages", body.ToString());
    }

    private static void Fact(StringBuilder body, string name, string html)
        => body.Append(CultureInfo.InvariantCulture, $"<dt>{name}</dt><dd>{html}</dd>");
}
