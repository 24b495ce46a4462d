using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Webhooks end to end: a delivering node posts to a Python receiver that checks every signature
/// with its own HMAC; batches, retries after failures, dead letters and their replay by the CLI,
/// and a node killed while the receiver is down.
/// </summary>
public sealed class WebhookTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>
{
    private const string Secret = "whsec_test_0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> QuickRetries = new()
    {
        ["SLUICE__Webhooks__RetryBase"] = "00:00:00.200",
        ["SLUICE__Webhooks__RetryMax"] = "00:00:00.500",
    };

    [Fact]
    public async Task Webhook_DeliveredMail_SignedBatchesTheReceiverVerifies()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var dir = new TempDirectory();
        await using var node = await world.StartNodeAsync(dir.Path);
        using var http = node.CreateHttpClient();
        var webhookId = await CreateAsync(http, receiver.Url, "received", "delivered");

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await SendAsync(http, $"batch-{i}@example.test", $"Batch {i}", "wave"));
        }

        var events = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Count(x => Type(x) == "delivered") >= 20, Patience, "20 delivered events at the receiver");
        var posts = await receiver.ReceivedAsync();
        Assert.All(posts, p => Assert.True(p.GetProperty("verified").GetBoolean(), "the receiver's own HMAC check failed"));
        Assert.All(posts, p => Assert.Equal(webhookId, p.GetProperty("webhookId").GetString()));
        Assert.Contains(posts, p => p.GetProperty("body").GetProperty("events").GetArrayLength() > 1);
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        foreach (var id in ids)
        {
            var delivered = Assert.Single(events, e => Type(e) == "delivered" && e.GetProperty("messageId").GetString() == id);
            Assert.StartsWith("batch-", delivered.GetProperty("recipient").GetString(), StringComparison.Ordinal);
            Assert.Equal("api@sender.example", delivered.GetProperty("sender").GetString());
            Assert.Equal("wave", delivered.GetProperty("tags")[0].GetString());
            Assert.Single(events, e => Type(e) == "received" && e.GetProperty("messageId").GetString() == id);
        }

        Assert.DoesNotContain(events, e => Type(e) is not ("received" or "delivered"));
    }

    [Fact]
    public async Task Webhook_ReceiverFailsTwice_SameEventsRetriedUntilTaken()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        await receiver.FailAsync(2);
        using var dir = new TempDirectory();
        await using var node = await world.StartNodeAsync(dir.Path, QuickRetries, null, null);
        using var http = node.CreateHttpClient();
        await CreateAsync(http, receiver.Url, "received");
        var id = await SendAsync(http, "retry@example.test", "Retry", null);

        var taken = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Any(x => x.GetProperty("messageId").GetString() == id), Patience, "the event after two failures");
        var posts = await receiver.ReceivedAsync();
        Assert.Equal([500, 500, 200], posts.Take(3).Select(p => p.GetProperty("status").GetInt32()));
        var firstIds = posts[0].GetProperty("body").GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Subset(taken.Select(e => e.GetProperty("id").GetString()).ToHashSet(), firstIds.ToHashSet());
        Assert.All(posts, p => Assert.True(p.GetProperty("verified").GetBoolean()));
    }

    [Fact]
    public async Task Webhook_ReceiverAlwaysFails_DeadLetteredThenReplayedByCli()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        await receiver.FailAsync(-1);
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string>(QuickRetries) { ["SLUICE__Webhooks__MaxAttempts"] = "2" };
        await using var node = await world.StartNodeAsync(dir.Path, environment, null, null);
        using var http = node.CreateHttpClient();
        var webhookId = await CreateAsync(http, receiver.Url, "received");
        var id = await SendAsync(http, "dead@example.test", "Dead", null);

        var letters = await Poll.ForAsync(
            async () => await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{webhookId}/dead-letters", UriKind.Relative)),
            j => j.GetProperty("items").GetArrayLength() > 0,
            Patience,
            "a dead letter");
        var letter = letters.GetProperty("items")[0];
        Assert.Equal(2, letter.GetProperty("attempts").GetInt32());
        Assert.Contains("500", letter.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await receiver.ReceivedAsync()).Count);

        await receiver.FailAsync(0);
        var (code, stdout, stderr) = await SluiceProcess.RunAsync(["webhooks", "replay", webhookId, "--api", node.HttpBase.ToString(), "--key", node.ApiKey!, "--json"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(1, JsonDocument.Parse(stdout).RootElement.GetProperty("replayed").GetInt32());

        var taken = await receiver.TakenEventsAsync();
        Assert.Contains(taken, e => e.GetProperty("messageId").GetString() == id);
        Assert.True((await receiver.ReceivedAsync()).Last().GetProperty("verified").GetBoolean());
        var after = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{webhookId}/dead-letters", UriKind.Relative));
        Assert.Equal(0, after.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Webhook_NodeKilledWhileReceiverDown_EventsArriveAfterRestart()
    {
        var port = FreePort.Next(IPAddress.Loopback);
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string>(QuickRetries) { ["SLUICE__Webhooks__MaxAttempts"] = "1000" };
        var ids = new List<string>();
        await using (var node = await world.StartNodeAsync(dir.Path, environment, null, null))
        {
            using var http = node.CreateHttpClient();
            await CreateAsync(http, new Uri($"http://127.0.0.1:{port}/hook"), "received", "delivered");
            for (var i = 0; i < 5; i++)
            {
                ids.Add(await SendAsync(http, $"restart-{i}@example.test", "Restart", null));
            }

            // Indexed as delivered (so the events are in events.db), never posted: nobody listens.
            foreach (var id in ids)
            {
                await Poll.UntilAsync(
                    async () => NodeApi.RecipientStatus(await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative))) == "delivered",
                    Patience,
                    $"{id} indexed as delivered");
            }

            await node.KillAsync();
        }

        using var receiver = await WebhookReceiver.StartAsync(Secret, port);
        await using var restarted = await world.StartNodeAsync(dir.Path, environment, null, null);
        var events = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Count >= 10, Patience, "the 10 events after the restart");
        foreach (var id in ids)
        {
            Assert.Contains(events, e => Type(e) == "received" && e.GetProperty("messageId").GetString() == id);
            Assert.Contains(events, e => Type(e) == "delivered" && e.GetProperty("messageId").GetString() == id);
        }

        Assert.All(await receiver.ReceivedAsync(), p => Assert.True(p.GetProperty("verified").GetBoolean()));
    }

    [Fact]
    public async Task Webhook_SuppressedRecipientAtRcpt_SuppressedEventWithSender()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var http = world.Node.CreateHttpClient();
        await CreateAsync(http, receiver.Url, "suppressed");
        using (var added = await http.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "gone@example.test", reason = "bounce" }))
        {
            added.EnsureSuccessStatusCode();
        }

        await using (var dialog = await SmtpDialog.ConnectAsync(world.Node.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO suppressed.test");
            await dialog.CommandAsync("MAIL FROM:<news@letters.example>");
            Assert.StartsWith("550", await dialog.CommandAsync("RCPT TO:<gone@example.test>"), StringComparison.Ordinal);
        }

        var events = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Count > 0, Patience, "the suppressed event");
        var suppressed = Assert.Single(events);
        Assert.Equal("suppressed", Type(suppressed));
        Assert.Equal("gone@example.test", suppressed.GetProperty("recipient").GetString());
        Assert.Equal("news@letters.example", suppressed.GetProperty("sender").GetString());
    }

    [Fact]
    public async Task CreateWebhook_UnknownEventAndBadUrl_ProblemNamesBoth()
    {
        using var http = world.Node.CreateHttpClient();
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = "ftp://x", events = new[] { "delivered", "opened" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("opened", errors.GetProperty("events")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("url", out _));
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private static async Task<string> CreateAsync(HttpClient http, Uri url, params string[] events)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = url.ToString(), events, secret = Secret });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Secret, created.GetProperty("secret").GetString());
        return created.GetProperty("id").GetString()!;
    }

    private static async Task<string> SendAsync(HttpClient http, string to, string subject, string? tag)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "api@sender.example", to = new[] { to }, subject, text = "hello", tags = tag is null ? null : new[] { tag } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
