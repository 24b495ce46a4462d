using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice templates …</c>: stored templates over the node's API.</summary>
internal static class TemplatesCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var id = new Argument<string>("id");
        var name = new Option<string?>("--name");
        var subject = new Option<string?>("--subject") { Description = "Liquid source of the subject." };
        var htmlFile = new Option<FileInfo?>("--html-file") { Description = "Liquid source of the HTML part." };
        var textFile = new Option<FileInfo?>("--text-file") { Description = "Liquid source of the text part." };
        var version = new Option<int?>("--version");
        var variables = new Option<string[]>("--var") { Description = "Variable NAME=VALUE (repeatable).", AllowMultipleArgumentsPerToken = true };

        var create = new Command("create", "Store a new template (version 1).") { name, subject, htmlFile, textFile };
        create.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.PostAsJsonAsync("api/v1/templates", await BodyAsync(p, name, subject, htmlFile, textFile, ct), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var update = new Command("update", "Store a new version of a template.") { id, name, subject, htmlFile, textFile };
        update.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            // A new version keeps what the command does not change: the newest version's other parts.
            var path = "api/v1/templates/" + Uri.EscapeDataString(p.GetValue(id)!);
            using var current = await http.GetAsync(path, ct);
            var newest = await QueueCommand.Read(current, ct);
            var body = await BodyAsync(p, name, subject, htmlFile, textFile, ct);
            var merged = new
            {
                name = body.Name ?? Part(newest, "name"),
                subject = body.Subject ?? Part(newest, "subject"),
                html = body.Html ?? Part(newest, "html"),
                text = body.Text ?? Part(newest, "text"),
            };
            using var response = await http.PutAsJsonAsync(path, merged, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var list = new Command("list", "The newest version of every template.");
        list.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/templates", ct))));

        var show = new Command("show", "One template (the newest version, or --version).") { id, version };
        show.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var query = p.GetValue(version) is { } v ? "?version=" + v.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
            using var response = await http.GetAsync("api/v1/templates/" + Uri.EscapeDataString(p.GetValue(id)!) + query, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var delete = new Command("delete", "Delete a template (every version).") { id };
        delete.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            using var response = await http.DeleteAsync("api/v1/templates/" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        var preview = new Command("preview", "Render a template with variables.") { id, version, variables };
        preview.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var vars = (p.GetValue(variables) ?? []).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v.Length > 1 ? v[1] : string.Empty);
            using var response = await http.PostAsJsonAsync("api/v1/templates/" + Uri.EscapeDataString(p.GetValue(id)!) + "/preview", new { variables = vars, version = p.GetValue(version) }, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));

        return new Command("templates", "Stored Liquid templates: create, update, list, show, delete, preview.") { api, key, QueueCommand.JsonOption(), create, update, list, show, delete, preview };
    }

    private static async Task<Http.TemplateRequest> BodyAsync(ParseResult p, Option<string?> name, Option<string?> subject, Option<FileInfo?> htmlFile, Option<FileInfo?> textFile, CancellationToken ct) => new(
        p.GetValue(name),
        p.GetValue(subject),
        p.GetValue(htmlFile) is { } html ? await File.ReadAllTextAsync(html.FullName, ct) : null,
        p.GetValue(textFile) is { } text ? await File.ReadAllTextAsync(text.FullName, ct) : null);

    private static string? Part(JsonElement template, string name)
        => template.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
