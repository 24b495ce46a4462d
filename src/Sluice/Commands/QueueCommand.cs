using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary>
/// <c>sluice queue …</c>: the operator's view of a node's queue over its HTTP API (the mailq and
/// postqueue of Sluice). <c>--api</c> or <c>SLUICE_API</c> names the node (default http://127.0.0.1:8025).
/// </summary>
internal static class QueueCommand
{
    private static bool s_json;

    // Relaxed escaping: this is for people to read, so "<" and "'" stay themselves.
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var api = ApiOption();
        var apiKey = KeyOption();
        var id = new Option<string?>("--id") { Description = "One message id." };
        var domain = new Option<string?>("--domain") { Description = "Messages with a recipient in this domain." };
        var state = new Option<string?>("--state") { Description = "queued, in-flight, held or dead-letter." };
        var all = new Option<bool>("--all") { Description = "The whole queue (required when no other filter is given)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count what would be deleted." };
        var limit = new Option<int>("--limit") { Description = "Messages to list.", DefaultValueFactory = _ => 50 };
        var minutes = new Option<int>("--minutes") { Description = "How long to suspend.", DefaultValueFactory = _ => 60 };
        var messageId = new Argument<string>("id");
        var destination = new Argument<string>("destination") { Description = "A domain, or a site (its MX host set)." };

        var summary = new Command("summary", "Counts by state and destination domain, and the oldest message.");
        summary.SetAction((p, ct) => RunAsync(p, api, async http => Print(await http.GetFromJsonAsync<JsonElement>("api/v1/queue/summary", ct))));

        var list = new Command("list", "List queued messages (oldest first).") { domain, state, limit };
        list.SetAction((p, ct) => RunAsync(p, api, async http =>
        {
            var query = $"api/v1/queue/messages?limit={p.GetValue(limit).ToString(CultureInfo.InvariantCulture)}"
                + (p.GetValue(domain) is { } d ? "&domain=" + Uri.EscapeDataString(d) : string.Empty)
                + (p.GetValue(state) is { } s ? "&state=" + Uri.EscapeDataString(s) : string.Empty);
            var page = await http.GetFromJsonAsync<JsonElement>(query, ct);
            Console.WriteLine($"{"ID",-26}  {"STATE",-11}  {"TRIES",5}  {"SIZE",9}  {"SENDER",-30}  RECIPIENTS");
            foreach (var m in page.GetProperty("items").EnumerateArray())
            {
                var recipients = string.Join(", ", m.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.GetProperty("id").GetString(),-26}  {m.GetProperty("state").GetString(),-11}  {m.GetProperty("attempts").GetInt32(),5}  {m.GetProperty("size").GetInt64(),9}  {m.GetProperty("sender").GetString(),-30}  {recipients}"));
            }
        }));

        var show = new Command("show", "One message: envelope, attempts, last reply, next attempt.") { messageId };
        show.SetAction((p, ct) => RunAsync(p, api, async http => Print(await http.GetFromJsonAsync<JsonElement>("api/v1/queue/messages/" + Uri.EscapeDataString(p.GetValue(messageId)!), ct))));

        var flush = new Command("flush", "Retry now: make matching messages due.") { id, domain, all };
        flush.SetAction((p, ct) => RunAsync(p, api, async http => Print(await PostAsync(http, "api/v1/queue/flush", new { id = p.GetValue(id), domain = p.GetValue(domain), all = p.GetValue(all) }, ct))));

        var delete = new Command("delete", "Remove matching messages (never those being delivered right now).") { id, domain, state, all, dryRun };
        delete.SetAction((p, ct) => RunAsync(p, api, async http => Print(await PostAsync(http, "api/v1/queue/delete", new { id = p.GetValue(id), domain = p.GetValue(domain), state = p.GetValue(state), all = p.GetValue(all), dryRun = p.GetValue(dryRun) }, ct))));

        var reason = new Option<string?>("--reason") { Description = "Text for the bounce (default: Returned to sender by an operator)." };
        var bounce = new Command("bounce", "Return matching messages to their senders (RFC 3464 notice) and remove them.") { id, domain, state, all, dryRun, reason };
        bounce.SetAction((p, ct) => RunAsync(p, api, async http => Print(await PostAsync(http, "api/v1/queue/bounce", new { id = p.GetValue(id), domain = p.GetValue(domain), state = p.GetValue(state), all = p.GetValue(all), dryRun = p.GetValue(dryRun), reason = p.GetValue(reason) }, ct))));

        var suspend = new Command("suspend", "Pause delivery to a domain or site.") { destination, minutes };
        suspend.SetAction((p, ct) => RunAsync(p, api, async http => Print(await PostAsync(http, "api/v1/queue/suspensions", new { destination = p.GetValue(destination), minutes = p.GetValue(minutes) }, ct))));

        var resume = new Command("resume", "Resume delivery to a suspended domain or site.") { destination };
        resume.SetAction((p, ct) => RunAsync(p, api, async http =>
        {
            using var response = await http.DeleteAsync("api/v1/queue/suspensions/" + Uri.EscapeDataString(p.GetValue(destination)!), ct);
            Print(await Read(response, ct));
        }));

        return new Command("queue", "Inspect and operate a node's queue over its HTTP API.") { api, apiKey, JsonOption(), summary, list, show, flush, delete, bounce, suspend, resume };
    }

    /// <summary>--api (or SLUICE_API): the node to talk to.</summary>
    internal static Option<string> ApiOption()
        => new("--api") { Description = "Node HTTP address.", Recursive = true, DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SLUICE_API") ?? "http://127.0.0.1:8025" };

    /// <summary>--json: print the API's JSON instead of tables (on every command that prints data).</summary>
    internal static Option<bool> JsonOption()
        => new("--json") { Description = "Print the API's JSON instead of tables.", Recursive = true };

    /// <summary>--key (or SLUICE_API_KEY, or the node's ./data/admin.key when run beside it): the API key.</summary>
    internal static Option<string?> KeyOption()
        => new("--key") { Description = "API key (default: SLUICE_API_KEY, else ./data/admin.key).", Recursive = true };

    internal static async Task<int> RunAsync(ParseResult parse, Option<string> api, Func<HttpClient, Task> action)
    {
        // One command per process: the output choice is the process's.
        s_json = parse.GetResult("--json") is not null && parse.GetValue<bool>("--json");
        using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(api)!.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (ApiKey(parse) is { } key)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            await action(http);
            return 0;
        }
        catch (Exception ex) when (ex is ApiProblemException or CommandFailedException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"{http.BaseAddress}: {(ex.StatusCode is { } code ? $"{(int)code} {code}" : "cannot reach the node: " + ex.Message)}");
            return 1;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InvalidDataException)
        {
            // A file the command was given (--attach, --html-file, --batch…): one line, not a trace.
            await Console.Error.WriteLineAsync("sluice: " + ex.Message);
            return 2;
        }
    }

    internal static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ct);
        return await Read(response, ct);
    }

    internal static async Task<JsonElement> Read(HttpResponseMessage response, CancellationToken ct)
    {
        // An error may come without a JSON body (a proxy, an empty 401): then the status says it.
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonElement json = default;
        try
        {
            json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException) when (!response.IsSuccessStatusCode)
        {
            json = default;
        }

        if (!response.IsSuccessStatusCode)
        {
            var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() : response.ReasonPhrase;

            // A validation problem (RFC 9457 with "errors") names each field and what is wrong with it.
            if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var fields = new List<string>();
                foreach (var field in errors.EnumerateObject())
                {
                    foreach (var message in field.Value.EnumerateArray())
                    {
                        fields.Add($"{field.Name}: {message.GetString()}");
                    }
                }

                detail = (json.TryGetProperty("title", out var title) ? title.GetString() + ": " : string.Empty) + string.Join("; ", fields);
            }

            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                detail += " (the API key is taken from --key, else SLUICE_API_KEY, else ./data/admin.key beside a running node)";
            }

            throw new ApiProblemException($"{(int)response.StatusCode}: {detail}");
        }

        return json;
    }

    private static string? ApiKey(ParseResult parse)
    {
        if (parse.GetResult("--key") is { } && parse.GetValue<string?>("--key") is { Length: > 0 } key)
        {
            return key;
        }

        if (Environment.GetEnvironmentVariable("SLUICE_API_KEY") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var file = Path.Combine("data", Http.ApiKeyBootstrap.FileName);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    /// <summary>An answer for people (tables), or with <c>--json</c> the API's JSON itself.</summary>
    internal static void Print(JsonElement json)
    {
        if (s_json)
        {
            Console.WriteLine(JsonSerializer.Serialize(json, Pretty));
        }
        else
        {
            HumanOutput.Write(json);
        }
    }
}
