using System.Text.Json;

namespace Sluice.Testing;

/// <summary>One line of a node's delivery event files (ECS), with the fields tests look at.</summary>
public sealed record EventLine(DateTimeOffset Time, string Type, string MessageId, string? Recipient, string? Site, string? RemoteMta, int Attempt, string? Reply, string? Classification, double? QueuedMs, double? DurationMs, string? Source, JsonElement Raw);

/// <summary>Reads a node's delivery event files (<c>DATA/events/events-*.jsonl</c>) while the node writes them.</summary>
public static class EventFiles
{
    public static List<EventLine> Read(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "events");
        var events = new List<EventLine>();
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "events-*.jsonl") : [];
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                // A line being written may be cut short; the next read has it whole.
                if (line.Length > 0 && line[^1] == '}')
                {
                    events.Add(Parse(line));
                }
            }
        }

        return events;
    }

    public static EventLine Parse(string line)
    {
        var e = JsonDocument.Parse(line).RootElement.Clone();
        var sluice = e.GetProperty("sluice");
        string? Text(JsonElement parent, string name) => parent.TryGetProperty(name, out var v) ? v.GetString() : null;
        string? Nested(string outer, string inner) => e.TryGetProperty(outer, out var o) ? Text(o, inner) : null;
        string? To() => e.TryGetProperty("email", out var email) && email.TryGetProperty("to", out var to) ? to.GetProperty("address")[0].GetString() : null;
        var action = e.GetProperty("event");
        return new EventLine(
            e.GetProperty("@timestamp").GetDateTimeOffset(),
            action.GetProperty("action").GetString()!,
            sluice.GetProperty("message_id").GetString()!,
            To(),
            Nested("destination", "domain"),
            Nested("server", "address") ?? Nested("client", "address"),
            sluice.TryGetProperty("attempt", out var attempt) ? attempt.GetInt32() : 0,
            Text(sluice, "reply"),
            Text(sluice, "classification"),
            sluice.TryGetProperty("queued_ms", out var queued) ? queued.GetDouble() : null,
            action.TryGetProperty("duration", out var nanos) ? nanos.GetInt64() / 1_000_000.0 : null,
            Text(sluice, "source"),
            e);
    }
}
