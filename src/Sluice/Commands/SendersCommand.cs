using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice senders …</c>: senders' bounce and complaint rates, and their pauses, over the node's API.</summary>
internal static class SendersCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var sender = new Argument<string>("sender") { Description = "scope:value — sender_domain:example.com, tag:spring-sale or api_key:shop." };
        var scope = new Option<string?>("--scope") { Description = "Only this scope: sender_domain, tag or api_key." };
        var window = new Option<string?>("--window") { Description = "Rates over this window (hh:mm:ss), up to the longest kept; default Reputation:Window." };
        var minutes = new Option<int>("--minutes") { Description = "How long to pause.", DefaultValueFactory = _ => 60 };
        var reason = new Option<string?>("--reason") { Description = "Why, for the event and the list of pauses." };

        var list = new Command("list", "Senders with mail in the window: sent, bounced, complained, rates, paused until.") { scope, window };
        list.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var query = new List<string>();
            if (p.GetValue(scope) is { } s)
            {
                query.Add("scope=" + Uri.EscapeDataString(s));
            }

            if (p.GetValue(window) is { } w)
            {
                query.Add("window=" + Uri.EscapeDataString(w));
            }

            using var response = await http.GetAsync("api/v1/senders" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var paused = new Command("paused", "Senders whose mail is held now, until when and why.");
        paused.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/senders/pauses", ct))));

        var pause = new Command("pause", "Hold a sender's mail (not failed) for a while.") { sender, minutes, reason };
        pause.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await QueueCommand.PostAsync(http, "api/v1/senders/pauses", new { sender = p.GetValue(sender), minutes = p.GetValue(minutes), reason = p.GetValue(reason) }, ct))));

        var resume = new Command("resume", "Lift a sender's pause: its held mail goes at once.") { sender };
        resume.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.DeleteAsync("api/v1/senders/pauses/" + Uri.EscapeDataString(p.GetValue(sender)!), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        return new Command("senders", "Sender reputation: bounce and complaint rates per sending domain, tag and API key; pauses.") { api, QueueCommand.KeyOption(), QueueCommand.JsonOption(), list, paused, pause, resume };
    }
}
