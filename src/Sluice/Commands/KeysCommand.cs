using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice keys …</c>: API keys over the node's API (needs an admin key).</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var name = new Option<string>("--name") { Description = "What the key is for (an application, a person).", Required = true };
        var scopes = new Option<string[]>("--scope") { Description = "send, read or admin (repeatable).", Required = true, AllowMultipleArgumentsPerToken = true };
        var rate = new Option<int?>("--rate") { Description = "Requests per second for this key (default: the node's)." };
        var strict = new Option<bool>("--strict") { Description = "Refuse recipients whose domain does not accept mail at submission (default: lenient)." };
        var id = new Argument<string>("id");

        var create = new Command("create", "Create a key; its token is printed once and stored only as a hash.") { name, scopes, rate, strict };
        create.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.PostAsJsonAsync("api/v1/keys", new { name = p.GetValue(name), scopes = p.GetValue(scopes), requestsPerSecond = p.GetValue(rate), validation = p.GetValue(strict) ? "strict" : "lenient" }, ct);
            var created = await QueueCommand.Read(response, ct);
            Console.WriteLine(created.GetProperty("token").GetString());
            await Console.Error.WriteLineAsync($"key {created.GetProperty("id").GetString()} ({created.GetProperty("name").GetString()}): keep the token above secret; it is not shown again.");
        }));

        var list = new Command("list", "List keys (never their tokens).");
        list.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/keys", ct))));

        var revoke = new Command("revoke", "Revoke a key by id.") { id };
        revoke.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.DeleteAsync("api/v1/keys/" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        return new Command("keys", "Create, list and revoke API keys.") { api, key, QueueCommand.JsonOption(), create, list, revoke };
    }
}
