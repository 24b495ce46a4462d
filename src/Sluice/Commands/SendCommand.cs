using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Sluice.Commands;

/// <summary>
/// <c>sluice send</c>: one message through the sending API, or <c>--batch FILE --template ID</c>:
/// a CSV (<c>to,name,…</c>: the first column is the address, the others become the recipient's
/// variables) sent in batches of up to 1,000 with a progress bar and a summary.
/// </summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var from = new Option<string>("--from") { Description = "Sender address (may include a display name).", Required = true };
        var to = new Option<string[]>("--to") { Description = "Recipient (repeatable).", AllowMultipleArgumentsPerToken = true };
        var subject = new Option<string?>("--subject");
        var text = new Option<string?>("--text") { Description = "Plain-text body." };
        var htmlFile = new Option<FileInfo?>("--html-file") { Description = "HTML body from a file." };
        var template = new Option<string?>("--template") { Description = "Stored template id." };
        var variables = new Option<string[]>("--var") { Description = "Template variable NAME=VALUE (repeatable).", AllowMultipleArgumentsPerToken = true };
        var attach = new Option<FileInfo[]>("--attach") { Description = "File to attach (repeatable)." };
        var batch = new Option<FileInfo?>("--batch") { Description = "CSV of recipients (to,var1,var2,…) to send the template to." };
        var command = new Command("send", "Send a message (or a template to a CSV of recipients) through a node's API.")
        {
            api, key, from, to, subject, text, htmlFile, template, variables, attach, batch,
        };

        command.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            if (p.GetValue(batch) is { } file)
            {
                if (p.GetValue(template) is not { } templateId)
                {
                    throw new ApiProblemException("--batch needs --template ID");
                }

                await SendBatchAsync(http, file, p.GetValue(from)!, templateId, ct);
                return;
            }

            var vars = (p.GetValue(variables) ?? []).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v.Length > 1 ? v[1] : string.Empty);
            var attachments = (p.GetValue(attach) ?? []).Select(f => new { filename = f.Name, content = Convert.ToBase64String(File.ReadAllBytes(f.FullName)) }).ToArray();
            using var response = await http.PostAsJsonAsync("api/v1/messages", new
            {
                from = p.GetValue(from),
                to = p.GetValue(to),
                subject = p.GetValue(subject),
                text = p.GetValue(text),
                html = p.GetValue(htmlFile) is { } html ? await File.ReadAllTextAsync(html.FullName, ct) : null,
                template = p.GetValue(template) is { } id ? new { id } : null,
                variables = vars.Count > 0 ? vars : null,
                attachments = attachments.Length > 0 ? attachments : null,
            }, ct);
            QueueCommand.Print(await QueueCommand.Read(response, ct));
        }));
        return command;
    }

    private static async Task SendBatchAsync(HttpClient http, FileInfo file, string from, string template, CancellationToken ct)
    {
        var lines = await File.ReadAllLinesAsync(file.FullName, ct);
        if (lines.Length < 2)
        {
            throw new ApiProblemException($"{file.Name}: a header line (to,var1,…) and at least one recipient are needed");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var recipients = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(cells => new
        {
            to = cells[0].Trim(),
            variables = header.Skip(1).Select((name, i) => (name, value: i + 1 < cells.Length ? cells[i + 1].Trim() : string.Empty)).ToDictionary(v => v.name, v => v.value),
        }).ToList();

        int accepted = 0, refused = 0;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"Sending to {recipients.Count} recipients", maxValue: recipients.Count);
            foreach (var chunk in recipients.Chunk(1000))
            {
                using var response = await http.PostAsJsonAsync("api/v1/batches", new { from, template = new { id = template }, recipients = chunk }, ct);
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (!answer.TryGetProperty("results", out var results))
                {
                    var detail = answer.TryGetProperty("detail", out var d) ? d.GetString() : response.ReasonPhrase;
                    throw new ApiProblemException($"{(int)response.StatusCode}: {detail}");
                }

                foreach (var result in results.EnumerateArray())
                {
                    if (result.GetProperty("status").GetString() == "queued")
                    {
                        accepted++;
                    }
                    else
                    {
                        refused++;
                        var reason = $"{result.GetProperty("status").GetString()}: {(result.TryGetProperty("error", out var e) ? e.GetString() : "?")}";
                        reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    }
                }

                task.Increment(chunk.Length);
            }
        });

        var table = new Table().AddColumn("Result").AddColumn(new TableColumn("Recipients").RightAligned());
        table.AddRow("[green]accepted[/]", accepted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("[red]refused[/]", refused.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value))
        {
            table.AddRow("  " + Markup.Escape(reason), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }
}
