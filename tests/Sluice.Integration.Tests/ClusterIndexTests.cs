using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Two nodes on one broker and one PostgreSQL (ADR 0035): one takes the mail, the other delivers
/// it. A message's timeline and search, the webhooks, and the queue listing, show and bounce answer
/// from either node for mail the other one handled.
/// </summary>
public sealed class ClusterIndexTests : IAsyncLifetime
{
    private const string Secret = "whsec_cluster_0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _processes = [];
    private RabbitMqServer _broker = null!;
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqServer.StartAsync();
        _postgres = await PostgresServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _broker.Dispose();
        _postgres.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Message_TakenByOneNodeDeliveredByTheOther_TimelineSearchAndOneWebhookPostFromEither()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        var sink = await StartAsync(SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink")));
        var a = await NodeAsync("a", relayHost: null);
        var b = await NodeAsync("b", sink.SmtpEndpoint.ToString());
        using var httpA = a.CreateHttpClient();
        using var httpB = b.CreateHttpClient(a.ApiKey);
        using (var created = await httpA.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = receiver.Url.ToString(), events = new[] { "received", "delivered" }, secret = Secret }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await NodeApi.SendAsync(httpA, "shop@src.example", $"r{i}@dest.example", $"Order {i}", "orders"));
        }

        foreach (var id in ids)
        {
            // Received on A, delivered by B: either node tells the whole story.
            var message = await Poll.ForAsync(() => httpA.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative)), m => NodeApi.RecipientStatus(m) == "delivered", Deadline, $"{id} delivered, seen from A");
            var types = message.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            Assert.Equal(["received", "delivered"], types);
            Assert.Equal("done", message.GetProperty("state").GetString());
            var fromB = await httpB.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative));
            Assert.Equal("delivered", NodeApi.RecipientStatus(fromB));
        }

        var found = await httpB.GetFromJsonAsync<JsonElement>(new Uri("api/v1/messages?recipient=R3@dest.example", UriKind.Relative));
        Assert.Equal(ids[3], Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        var stats = await httpB.GetFromJsonAsync<JsonElement>(new Uri("api/v1/stats?by=tag", UriKind.Relative));
        Assert.Contains(stats.GetProperty("items").EnumerateArray(), r => r.GetProperty("tag").GetString() == "orders" && r.GetProperty("delivered").GetInt64() == 5);

        // Both nodes run the webhook dispatcher; one claims the webhook, so every event is posted once.
        var events = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Count(x => x.GetProperty("type").GetString() == "delivered") >= 5, Deadline, "five delivered events at the receiver");
        Assert.Equal(10, events.Count);
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(await receiver.ReceivedAsync(), p => Assert.True(p.GetProperty("verified").GetBoolean()));
    }

    [Fact]
    public async Task Webhook_ItsNodeKilled_TheOtherNodePostsFromTheStoredCursor()
    {
        using var receiver = await WebhookReceiver.StartAsync(Secret);
        var sink = await StartAsync(SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink")));

        // A claims the webhook as it is made; B starts after, and waits for the claim.
        var a = await NodeAsync("a", relayHost: null);
        using var httpA = a.CreateHttpClient();
        string webhookId;
        using (var created = await httpA.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = receiver.Url.ToString(), events = new[] { "delivered" }, secret = Secret }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            webhookId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var b = await NodeAsync("b", sink.SmtpEndpoint.ToString());
        using var httpB = b.CreateHttpClient(a.ApiKey);
        var before = await NodeApi.SendAsync(httpA, "shop@src.example", "first@dest.example", "Before");
        var first = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Any(x => x.GetProperty("messageId").GetString() == before), Deadline, "the first event, posted by A");
        Assert.Contains("WebhookDispatcher[7100]", a.Output, StringComparison.Ordinal);

        // Killed once its cursor is stored past that event (a kill between the 2xx and the store
        // would post the batch again: at least once).
        var sequence = long.Parse(first.Single(x => x.GetProperty("messageId").GetString() == before).GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        await Poll.UntilAsync(async () => (await httpA.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{webhookId}", UriKind.Relative))).GetProperty("cursor").GetInt64() >= sequence, Deadline, "the cursor stored past the first event");

        await a.KillAsync();
        var after = await NodeApi.SendAsync(httpB, "shop@src.example", "second@dest.example", "After");

        var events = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Any(x => x.GetProperty("messageId").GetString() == after), Deadline, "the second event, posted by B after A died", () => b.Output);
        Assert.Single(events, e => e.GetProperty("messageId").GetString() == before);
        Assert.Contains("WebhookDispatcher[7100]", b.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_DeferredByTheOtherNode_ListedShownAndBouncedFromThisOne()
    {
        // Every recipient is refused for now: B keeps the mail in the brokers' retry queues.
        var sink = await StartAsync(SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"), ["--rcpt-defer", "100"]));
        var a = await NodeAsync("a", relayHost: null);
        var b = await NodeAsync("b", sink.SmtpEndpoint.ToString());
        using var http = a.CreateHttpClient();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await NodeApi.SendAsync(http, "shop@src.example", $"r{i}@dest.example", $"Later {i}"));
        }

        var listed = await Poll.ForAsync(
            () => ListAsync(http, "dest.example"),
            l => l.Count == 3 && l.All(m => m.GetProperty("attempts").GetInt32() >= 1),
            Deadline,
            "three deferred messages listed on A",
            () => b.Output);
        Assert.Equal(ids, listed.Select(m => m.GetProperty("id").GetString()));
        Assert.All(listed, m => Assert.StartsWith("450", m.GetProperty("lastReply").GetString(), StringComparison.Ordinal));
        var shown = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/queue/messages/{ids[1]}", UriKind.Relative));
        Assert.Equal(("queued", JsonValueKind.Null), (shown.GetProperty("state").GetString(), shown.GetProperty("nextAttemptAt").ValueKind));
        var (code, output, error) = await SluiceProcess.RunAsync(["queue", "list", "--domain", "dest.example", "--api", a.HttpBase.ToString(), "--key", a.ApiKey!, "--json"]);
        Assert.True(code == 0, error);
        Assert.Contains(ids[2], output, StringComparison.Ordinal);

        // Returned to their sender from A, though B deferred them: the brokers give them up, notices are queued.
        using (var bounced = await http.PostAsJsonAsync(new Uri("api/v1/queue/bounce", UriKind.Relative), new { domain = "dest.example" }))
        {
            Assert.Equal(HttpStatusCode.OK, bounced.StatusCode);
            Assert.Equal(3, (await bounced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt64());
        }

        foreach (var id in ids)
        {
            await Poll.UntilAsync(async () => NodeApi.RecipientStatus(await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative))) == "bounced", Deadline, $"{id} bounced");
        }

        var notices = await Poll.ForAsync(() => ListAsync(http, "src.example"), l => l.Count == 3, Deadline, "three notices to the sender queued");
        Assert.All(notices, n => Assert.Equal(string.Empty, n.GetProperty("sender").GetString()));
        Assert.Empty(await ListAsync(http, "dest.example"));
    }

    [Fact]
    public async Task Mail_HeldForASuspensionByTheOtherNode_ListedHeldOnThisOneUntilResumedThenDelivered()
    {
        var sink = await StartAsync(SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink")));
        var a = await NodeAsync("a", relayHost: null);
        var b = await NodeAsync("b", sink.SmtpEndpoint.ToString());
        using var http = a.CreateHttpClient();
        using var httpB = b.CreateHttpClient(a.ApiKey);
        // Suspended on B, the node that delivers (A takes mail only, so it has no suspensions of its own).
        using (var suspended = await httpB.PostAsJsonAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative), new { destination = "hold.example", minutes = 30 }))
        {
            Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        }

        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add(await NodeApi.SendAsync(http, "shop@src.example", $"h{i}@hold.example", $"Held {i}"));
        }

        // B holds them in the brokers' hold queue; A, which never had them in hand, lists them held from the index.
        var listed = await Poll.ForAsync(
            () => ListAsync(http, "hold.example"),
            l => l.Count == 2 && l.All(m => m.GetProperty("state").GetString() == "held"),
            Deadline,
            "two held messages listed on A",
            () => b.Output);
        Assert.Equal(ids, listed.Select(m => m.GetProperty("id").GetString()));
        var onlyHeld = (await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/messages?state=held", UriKind.Relative))).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString() ?? string.Empty).ToList();
        Assert.Equal(ids, onlyHeld);
        Assert.Equal(0, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());

        // Resumed: B releases what it held, the release is an event, and the mail goes.
        using (var resumed = await httpB.DeleteAsync(new Uri("api/v1/queue/suspensions/hold.example", UriKind.Relative)))
        {
            Assert.True(resumed.IsSuccessStatusCode);
        }

        await SinkLoad.WaitAcceptedAsync(sink, 2, Deadline);
        await Poll.UntilAsync(async () => (await ListAsync(http, "hold.example")).Count == 0, Deadline, "nothing left listed for hold.example");
        foreach (var id in ids)
        {
            await Poll.UntilAsync(async () => NodeApi.RecipientStatus(await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative))) == "delivered", Deadline, $"{id} delivered");
        }
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient http, string domain)
        => [.. (await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/queue/messages?domain={domain}", UriKind.Relative))).GetProperty("items").EnumerateArray()];

    private async Task<SluiceProcess> NodeAsync(string name, string? relayHost)
    {
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Cluster__RabbitMq__Uris__0"] = $"amqp://guest:guest@127.0.0.1:{_broker.Port}/",
            ["SLUICE__Cluster__Postgres__ConnectionString"] = _postgres.ConnectionString,
            ["SLUICE__Webhooks__RetryBase"] = "00:00:00.200",
        };
        string[] args = relayHost is null ? [] : ["--relay-host", relayHost];
        return await StartAsync(SluiceProcess.StartAsync(Path.Combine(_dir.Path, name), args, environment, delivery: relayHost is not null));
    }

    private async Task<SluiceProcess> StartAsync(Task<SluiceProcess> starting)
    {
        var process = await starting;
        _processes.Add(process);
        return process;
    }
}
