using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed partial class ServeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Swaks_PlainMessage_IsQueuedAndListed()
    {
        var (code, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.Node.SmtpPort}", "--from", "sender@example.com", "--to", "rcpt@swaks.example", "--header", "Subject: swaks plain");

        Assert.True(code == 0, transcript);
        var id = QueuedId(transcript);
        var page = await GetJsonAsync("api/v1/queue/messages?limit=1000");
        var item = page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
        Assert.Equal("sender@example.com", item.GetProperty("sender").GetString());
        Assert.Equal("rcpt@swaks.example", item.GetProperty("recipients")[0].GetString());
        Assert.Equal("queued", item.GetProperty("state").GetString());
        Assert.True(item.GetProperty("size").GetInt64() > 100);
    }

    [Fact]
    public async Task Swaks_PipeliningAndStartTls_IsQueued()
    {
        var (code, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.Node.SmtpPort}", "--from", "sender@example.com", "--to", "rcpt@swaks.example", "--tls", "--pipeline");

        Assert.True(code == 0, transcript);
        Assert.Contains("TLS started", transcript, StringComparison.Ordinal);
        QueuedId(transcript);
    }

    [Fact]
    public async Task QueueSummary_CountsByStateAndDomain()
    {
        await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.Node.SmtpPort}", "--from", "s@example.com", "--to", "a@summary.example,b@summary.example");

        var summary = await GetJsonAsync("api/v1/queue/summary");

        Assert.True(summary.GetProperty("total").GetInt64() >= 1);
        Assert.True(summary.GetProperty("byState").GetProperty("queued").GetInt64() >= 1);
        Assert.Equal(1, summary.GetProperty("byDomain").GetProperty("summary.example").GetInt64());
    }

    [Fact]
    public async Task QueueMessages_Paging_FollowsCursorToTheEnd()
    {
        for (var i = 0; i < 3; i++)
        {
            await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.Node.SmtpPort}", "--from", "s@example.com", "--to", $"p{i}@paging.example");
        }

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync("api/v1/queue/messages?limit=2" + (cursor is null ? string.Empty : "&cursor=" + cursor));
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.True(ids.Count >= 3);
    }

    [Theory]
    [InlineData("api/v1/queue/messages?limit=0")]
    [InlineData("api/v1/queue/messages?limit=5000")]
    public async Task QueueMessages_BadLimit_IsProblemJson400(string path)
    {
        using var response = await fixture.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAndReadiness_Answer200()
    {
        Assert.Equal("ok\n", await fixture.Http.GetStringAsync(new Uri("healthz", UriKind.Relative)));
        Assert.Equal("ready\n", await fixture.Http.GetStringAsync(new Uri("readyz", UriKind.Relative)));
    }

    [Fact]
    public async Task Metrics_ExposeRequiredSeriesInPrometheusFormat()
    {
        await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.Node.SmtpPort}", "--from", "s@example.com", "--to", "m@metrics.example");

        using var response = await fixture.Http.GetAsync(new Uri("metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        foreach (var series in new[]
        {
            "sluice_smtp_connections_current ",
            "sluice_smtp_connections_total ",
            "sluice_smtp_commands_total{verb=\"EHLO\"} ",
            "sluice_smtp_replies_total{class=\"2xx\"} ",
            "sluice_messages_accepted_total{protocol=\"smtp\",sender_domain=\"",
            "sluice_messages_rejected_total",
            "sluice_messages_accepted_bytes_total{protocol=\"smtp\",sender_domain=\"",
            "sluice_spool_write_duration_bucket{le=\"+Inf\"} ",
            "sluice_queue_depth ",
            "sluice_queue_depth_by_state{state=\"queued\"} ",
            "# TYPE sluice_smtp_commands_total counter",
            "# TYPE sluice_spool_write_duration histogram",
        })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }

        Assert.Matches(@"(?m)^sluice_messages_accepted_total\{protocol=""smtp"",sender_domain=""[a-z.]+""\} [1-9]", text);
    }

    internal static string QueuedId(string transcript)
    {
        var match = QueuedPattern().Match(transcript);
        Assert.True(match.Success, transcript);
        return match.Groups[1].Value;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var json = await fixture.Http.GetStringAsync(new Uri(path, UriKind.Relative));
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [GeneratedRegex("250 2\\.0\\.0 OK: queued as ([0-9A-Z]{26})")]
    private static partial Regex QueuedPattern();
}
