using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Logging;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Logs in the Elastic Common Schema: one JSON object per line, selected and levelled per category from the configuration.</summary>
public sealed class EcsLoggingTests
{
    [Fact]
    public void Write_StructuredEntryWithException_IsOneEcsLine()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var formatter = new EcsConsoleFormatter(time);
        IReadOnlyList<KeyValuePair<string, object?>> state =
        [
            new("Site", "mx.example"),
            new("Attempt", 3),
            new("{OriginalFormat}", "Delivery to {Site} failed (attempt {Attempt})"),
        ];
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(
            LogLevel.Warning, "Sluice.Delivery.Dispatch", new EventId(4100, "AttemptFailed"), state, new IOException("connection reset"), (_, _) => "Delivery to mx.example failed (attempt 3)");
        using var output = new StringWriter();

        formatter.Write(entry, null, output);

        var text = output.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        var line = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2026-11-30T12:00:00.000Z", line.GetProperty("@timestamp").GetString());
        Assert.Equal("warn", line.GetProperty("log.level").GetString());
        Assert.Equal("Delivery to mx.example failed (attempt 3)", line.GetProperty("message").GetString());
        Assert.Equal("8.11.0", line.GetProperty("ecs.version").GetString());
        Assert.Equal("Sluice.Delivery.Dispatch", line.GetProperty("log.logger").GetString());
        Assert.Equal("4100", line.GetProperty("event.code").GetString());
        Assert.Equal("AttemptFailed", line.GetProperty("event.action").GetString());
        Assert.Equal("mx.example", line.GetProperty("labels").GetProperty("Site").GetString());
        Assert.Equal("3", line.GetProperty("labels").GetProperty("Attempt").GetString());
        Assert.False(line.GetProperty("labels").TryGetProperty("{OriginalFormat}", out _));
        Assert.Equal("System.IO.IOException", line.GetProperty("error.type").GetString());
        Assert.Equal("connection reset", line.GetProperty("error.message").GetString());
    }

    [Fact]
    public async Task Serve_EcsFormatAndACategoryAtWarning_EveryLineIsEcsAndThatCategoryIsQuiet()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, """{ "Logging": { "Format": "Ecs", "LogLevel": { "Sluice.Server": "Warning" } } }""");
        string output;
        await using (var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]))
        {
            await Poll.UntilAsync(() => Task.FromResult(node.Output.Contains("\"log.logger\":\"Sluice.Spool\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the spool's start line");
            output = node.Output;
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l =>
        {
            var line = JsonDocument.Parse(l).RootElement;
            Assert.True(line.TryGetProperty("@timestamp", out _), l);
            Assert.True(line.TryGetProperty("log.level", out _), l);
            Assert.True(line.TryGetProperty("ecs.version", out _), l);
        });
        // The SMTP server's "listening" line is Information: below the category's Warning.
        Assert.DoesNotContain(lines, l => l.Contains("\"event.action\":\"Listening\"", StringComparison.Ordinal));
    }
}
