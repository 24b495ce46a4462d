using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice webhooks …</c>: webhook subscriptions and their dead letters over the node's API.</summary>
internal static class WebhooksCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var id = new Argument<string>("id") { Description = "The webhook's id (wh_…)." };
        var url = new Argument<string>("url") { Description = "Where to post (http:// or https://)." };
        var events = new Option<string[]>("--events")
        {
            Description = "Event types: received, delivered, deferred, bounced, expired, suppressed, complained, unsubscribed.",
            AllowMultipleArgumentsPerToken = true,
            Required = true,
        };
        var optionalEvents = new Option<string[]?>("--events") { Description = events.Description, AllowMultipleArgumentsPerToken = true };
        var secret = new Option<string?>("--secret") { Description = "The signing secret (16 characters or more); one is made and shown once when absent." };
        var enable = new Option<bool>("--enable") { Description = "Turn the webhook on." };
        var disable = new Option<bool>("--disable") { Description = "Turn the webhook off (events are kept for it: its cursor stays)." };
        var letter = new Option<long?>("--letter") { Description = "Replay only this dead letter (default: all of the webhook's)." };

        var add = new Command("add", "Subscribe an endpoint to event types; prints its secret once.") { url, events, secret };
        add.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.PostAsJsonAsync("api/v1/webhooks", new { url = p.GetValue(url), events = Split(p.GetValue(events)), secret = p.GetValue(secret) }, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var list = new Command("list", "Every webhook, its event types and cursor.");
        list.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/webhooks", ct))));

        var set = new Command("set", "Change a webhook's event types or turn it on or off.") { id, optionalEvents, enable, disable };
        set.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            bool? enabled = p.GetValue(enable) ? true : p.GetValue(disable) ? false : null;
            using var response = await http.PatchAsJsonAsync("api/v1/webhooks/" + Uri.EscapeDataString(p.GetValue(id)!), new { events = p.GetValue(optionalEvents) is { } e ? Split(e) : null, enabled }, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var remove = new Command("remove", "Delete a webhook and its dead letters.") { id };
        remove.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.DeleteAsync("api/v1/webhooks/" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var deadLetters = new Command("dead-letters", "Batches the endpoint did not take after every retry.") { id };
        deadLetters.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.GetAsync("api/v1/webhooks/" + Uri.EscapeDataString(p.GetValue(id)!) + "/dead-letters", ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var replay = new Command("replay", "Post dead letters again, signed anew; those taken are removed.") { id, letter };
        replay.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var path = "api/v1/webhooks/" + Uri.EscapeDataString(p.GetValue(id)!) + "/dead-letters/" + (p.GetValue(letter) is { } one ? one.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" : string.Empty) + "replay";
            using var response = await http.PostAsync(path, null, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        return new Command("webhooks", "Webhooks: event posts to your endpoints, signed (HMAC-SHA256), retried, dead letters replayable.") { api, QueueCommand.KeyOption(), QueueCommand.JsonOption(), add, list, set, remove, deadLetters, replay };
    }

    /// <summary>Both "--events a b" and "--events a,b".</summary>
    private static string[] Split(string[]? values)
        => values is null ? [] : values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
