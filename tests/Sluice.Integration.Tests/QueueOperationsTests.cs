using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed class QueueOperationsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _node = await SluiceProcess.StartAsync(_dir.Path);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Api_ShowListDeleteWithDryRun_ActOnTheRightMessages()
    {
        var keep = await SendAsync("x@keep.example");
        var gone1 = await SendAsync("y@gone.example");
        var gone2 = await SendAsync("z@gone.example");

        var shown = await _http.GetFromJsonAsync<JsonElement>($"api/v1/queue/messages/{keep}");
        Assert.Equal("x@keep.example", shown.GetProperty("envelope").GetProperty("recipients")[0].GetProperty("address").GetString());
        var listed = await _http.GetFromJsonAsync<JsonElement>("api/v1/queue/messages?domain=gone.example");
        Assert.Equal([gone1, gone2], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        var dry = await PostAsync("api/v1/queue/delete", new { domain = "gone.example", dryRun = true });
        Assert.Equal(2, dry.GetProperty("count").GetInt64());
        Assert.Equal(3, (await SummaryAsync()).GetProperty("total").GetInt64());

        var deleted = await PostAsync("api/v1/queue/delete", new { domain = "gone.example" });
        Assert.Equal(2, deleted.GetProperty("count").GetInt64());
        Assert.Equal(1, (await SummaryAsync()).GetProperty("total").GetInt64());
        // The event log is flushed a moment later.
        var admin = await Poll.ForAsync(
            () => Task.FromResult(EventFiles.Read(_dir.Path).FirstOrDefault(e => e.Reply == "delete: 2 messages")),
            e => e is not null,
            TimeSpan.FromSeconds(10),
            "the delete in the event log");
        Assert.Equal("admin", admin!.Type);
        Assert.Equal("gone.example", admin.Site);
    }

    [Theory]
    [InlineData("api/v1/queue/delete", "{}")]
    [InlineData("api/v1/queue/flush", "{}")]
    [InlineData("api/v1/queue/delete", "{\"state\":\"sleeping\"}")]
    public async Task Api_UnsafeOrInvalidFilter_IsProblem400(string path, string body)
    {
        using var response = await _http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Api_UnknownMessage_IsProblem404()
    {
        using var response = await _http.GetAsync(new Uri("api/v1/queue/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Api_FlushAll_MakesEveryQueuedMessageDue()
    {
        await SendAsync("a@flush.example");
        await SendAsync("b@flush.example");

        var flushed = await PostAsync("api/v1/queue/flush", new { all = true });

        Assert.True(flushed.GetProperty("count").GetInt64() >= 2);
    }

    [Fact]
    public async Task Cli_ListShowAndDelete_WorkOverTheApi()
    {
        var id = await SendAsync("cli@cli.example");
        var api = _node.HttpBase.ToString();
        var key = _node.ApiKey!;

        var (listCode, list, _) = await SluiceProcess.RunAsync(["queue", "list", "--domain", "cli.example", "--api", api, "--key", key]);
        var (showCode, show, _) = await SluiceProcess.RunAsync(["queue", "show", id, "--api", api, "--key", key, "--json"]);
        var (dryCode, dry, _) = await SluiceProcess.RunAsync(["queue", "delete", "--domain", "cli.example", "--dry-run", "--api", api, "--key", key, "--json"]);
        var (refusedCode, _, refused) = await SluiceProcess.RunAsync(["queue", "delete", "--api", api, "--key", key]);

        Assert.Equal(0, listCode);
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.Contains("cli@cli.example", list, StringComparison.Ordinal);
        Assert.Equal(0, showCode);
        Assert.Contains("\"attempts\": 0", show, StringComparison.Ordinal);
        Assert.Equal(0, dryCode);
        Assert.Contains("\"count\": 1", dry, StringComparison.Ordinal);
        Assert.Equal(1, refusedCode);
        Assert.Contains("400: Give id, domain or state, or all=true", refused, StringComparison.Ordinal);
    }

    private async Task<string> SendAsync(string to)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(_node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO ops.test");
        await dialog.BeginDataAsync("ops@sender.example", to);
        var reply = await dialog.CommandAsync("Subject: ops\r\n\r\nx\r\n.");
        return reply["250 2.0.0 OK: queued as ".Length..];
    }

    private async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> SummaryAsync() => _http.GetFromJsonAsync<JsonElement>("api/v1/queue/summary");
}
