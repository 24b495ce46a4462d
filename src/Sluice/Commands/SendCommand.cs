using System.CommandLine;
using System.Globalization;
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
            api, key, QueueCommand.JsonOption(), from, to, subject, text, htmlFile, template, variables, attach, batch,
        };

        command.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            if (p.GetValue(batch) is { } file)
            {
                if (p.GetValue(template) is not { } templateId)
                {
                    throw new ApiProblemException("--batch needs --template ID");
                }

                if (!await SendBatchAsync(http, file, p.GetValue(from)!, templateId, ct))
                {
                    throw new CommandFailedException($"{file.Name}: some rows were not sent (listed above)");
                }

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

    /// <summary>
    /// Sends the template to every row of the CSV; refused rows (by the CSV reader or the node) are
    /// listed with their line and reason. Returns false when any row was refused.
    /// </summary>
    private static async Task<bool> SendBatchAsync(HttpClient http, FileInfo file, string from, string template, CancellationToken ct)
    {
        List<BatchRow> rows;
        List<BatchRefusal> refused;
        using (var reader = new StreamReader(file.FullName, detectEncodingFromByteOrderMarks: true))
        {
            (rows, refused) = BatchCsv.Read(reader);
        }

        var accepted = 0;
        if (rows.Count > 0)
        {
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask($"Sending to {rows.Count} recipients", maxValue: rows.Count);
                foreach (var chunk in rows.Chunk(1000))
                {
                    var recipients = chunk.Select(r => new { to = r.To, variables = r.Variables }).ToArray();
                    using var response = await http.PostAsJsonAsync("api/v1/batches", new { from, template = new { id = template }, recipients }, ct);
                    var answer = await QueueCommand.Read(response, ct);
                    foreach (var result in answer.GetProperty("results").EnumerateArray())
                    {
                        var row = chunk[result.GetProperty("index").GetInt32()];
                        if (result.GetProperty("status").GetString() == "queued")
                        {
                            accepted++;
                        }
                        else
                        {
                            var reason = result.TryGetProperty("error", out var e) ? e.GetString() : null;
                            refused.Add(new BatchRefusal(row.Line, row.To, $"{result.GetProperty("status").GetString()}: {reason ?? "?"}"));
                        }
                    }

                    task.Increment(chunk.Length);
                }
            });
        }

        if (refused.Count > 0)
        {
            var lines = new Table().AddColumn(new TableColumn("Line").RightAligned()).AddColumn("Address").AddColumn("Why it was not sent");
            foreach (var refusal in refused.OrderBy(r => r.Line))
            {
                lines.AddRow(refusal.Line.ToString(CultureInfo.InvariantCulture), Markup.Escape(refusal.To), Markup.Escape(refusal.Reason));
            }

            AnsiConsole.Write(lines);
        }

        var summary = new Table().AddColumn("Result").AddColumn(new TableColumn("Recipients").RightAligned());
        summary.AddRow("[green]accepted[/]", accepted.ToString(CultureInfo.InvariantCulture));
        summary.AddRow(refused.Count > 0 ? "[red]refused[/]" : "refused", refused.Count.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(summary);
        return refused.Count == 0;
    }
}
