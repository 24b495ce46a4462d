using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice suppressions …</c>: the suppression list over the node's API.</summary>
internal static class SuppressionsCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var address = new Argument<string>("address");
        var scope = new Option<string?>("--scope") { Description = "A sending domain (default: every sender)." };
        var reason = new Option<string?>("--reason") { Description = "bounce, complaint, unsubscribe or manual (default)." };
        var expires = new Option<DateTimeOffset?>("--expires")
        {
            Description = "When the entry lapses: a date and time (ISO 8601) or a time from now (30d, 12h); default never.",
            CustomParser = ParseExpiry,
        };
        var file = new Argument<FileInfo>("file") { Description = "CSV: address,reason,scope,expires_at." };

        var add = new Command("add", "Suppress an address.") { address, scope, reason, expires };
        add.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.PostAsJsonAsync("api/v1/suppressions", new { address = p.GetValue(address), scope = p.GetValue(scope), reason = p.GetValue(reason), expiresAt = p.GetValue(expires) }, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var remove = new Command("remove", "Remove an address from the list.") { address, scope };
        remove.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var query = p.GetValue(scope) is { } s ? "?scope=" + Uri.EscapeDataString(s) : string.Empty;
            using var response = await http.DeleteAsync("api/v1/suppressions/" + Uri.EscapeDataString(p.GetValue(address)!) + query, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var list = new Command("list", "The first 1,000 entries.");
        list.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/suppressions?limit=1000", ct))));

        var import = new Command("import", "Add every entry of a CSV file (errors are listed by line).") { file };
        import.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            await using var stream = p.GetValue(file)!.OpenRead();
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            using var response = await http.PostAsync("api/v1/suppressions/import", content, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var export = new Command("export", "Print the whole list as CSV.");
        export.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            await using var csv = await http.GetStreamAsync("api/v1/suppressions/export", ct);
            await csv.CopyToAsync(Console.OpenStandardOutput(), ct);
        }));

        return new Command("suppressions", "The suppression list: recipients never to send to.") { api, key, QueueCommand.JsonOption(), add, remove, list, import, export };
    }

    /// <summary>ISO 8601, or a duration from now as configuration durations are written (30d, 12h, 90m).</summary>
    private static DateTimeOffset? ParseExpiry(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }

        if (Configuration.Duration.TryParse(text, out var span) && !text.Contains(':', StringComparison.Ordinal))
        {
            // The CLI's clock is the machine's; the node stores the absolute time.
            return TimeProvider.System.GetUtcNow() + span;
        }

        result.AddError($"--expires: '{text}' is not a date and time (ISO 8601, e.g. 2026-12-31T00:00:00Z) or a time from now (30d, 12h)");
        return null;
    }
}
