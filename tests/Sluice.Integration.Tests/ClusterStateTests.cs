using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Two nodes on one PostgreSQL (Cluster:Postgres, ADR 0032) and one Redis (its second-level cache,
/// ADR 0034): an API key, a suppression or a template changed through one node takes effect on the
/// other at once — also where the other would find the old one in the shared cache; with the
/// database down, mail still flows and the API says 503 for what needs it.
/// </summary>
public sealed class ClusterStateTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _dir = new();
    private PostgresServer _postgres = null!;
    private RedisServer _redis = null!;
    private SluiceProcess _a = null!;
    private SluiceProcess _b = null!;
    private HttpClient _httpA = null!;
    private HttpClient _httpB = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _redis = await RedisServer.StartAsync();
        _a = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "a"), environment: Environment());
        _b = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "b"), environment: Environment());
        _httpA = _a.CreateHttpClient();

        // The first node made the cluster's first admin key; the second found keys and made none.
        Assert.Null(_b.ApiKey);
        _httpB = _b.CreateHttpClient(_a.ApiKey);
    }

    public async Task DisposeAsync()
    {
        _httpA.Dispose();
        _httpB.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _postgres.Dispose();
        _redis.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ApiKey_CreatedAndRevokedOnOneNode_WorksThenStopsOnTheOther()
    {
        using var created = await _httpA.PostAsJsonAsync(new Uri("api/v1/keys", UriKind.Relative), new { name = "shop", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var shopOnB = _b.CreateHttpClient(body.GetProperty("token").GetString());

        using (var allowed = await shopOnB.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var revoked = await _httpA.DeleteAsync(new Uri($"api/v1/keys/{body.GetProperty("id").GetString()}", UriKind.Relative));
        Assert.True(revoked.IsSuccessStatusCode);

        // Node B cached the key for 10 s; the announced revocation drops it well before.
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Poll.UntilAsync(
            async () => (await shopOnB.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized,
            Deadline,
            "the revoked key refused on the other node");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), "the revocation reached the other node only through its cache expiry");
    }

    [Fact]
    public async Task Suppression_AddedAndRemovedOnOneNode_RefusedThenAcceptedAtRcptOnTheOther()
    {
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "gone@dest.example"), StringComparison.Ordinal);

        using (var added = await _httpA.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "Gone@dest.example", reason = "bounce" }))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        await Poll.UntilAsync(async () => (await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "gone@dest.example")).StartsWith("550 5.7.1", StringComparison.Ordinal), Deadline, "RCPT refused on the other node");

        using (var removed = await _httpA.DeleteAsync(new Uri("api/v1/suppressions/gone@dest.example", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        await Poll.UntilAsync(async () => (await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "gone@dest.example")).StartsWith("250", StringComparison.Ordinal), Deadline, "RCPT accepted again on the other node");
    }

    [Fact]
    public async Task Template_NewVersionOnOneNode_RenderedByTheOtherWithoutWaiting()
    {
        using var created = await _httpA.PostAsJsonAsync(new Uri("api/v1/templates", UriKind.Relative), new { name = "Welcome", subject = "Hi {{ name }}", text = "one" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("Hi Ann", await PreviewSubjectAsync(_httpB, id));

        // Each node drops the template's shared copies when it hears of the change; the test hears each drop too.
        var drops = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        await redis.GetSubscriber().SubscribeAsync(
            StackExchange.Redis.RedisChannel.Literal("sluice:cache:invalidated"),
            (_, message) =>
            {
                if (message == $"Template:{id}")
                {
                    drops.Enqueue(message!);
                }
            });

        using (var changed = await _httpA.PutAsJsonAsync(new Uri($"api/v1/templates/{id}", UriKind.Relative), new { subject = "Hello {{ name }}", text = "two" }))
        {
            Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        }

        // Node B compiled version 1 as the latest and put it in the shared cache; the announcement
        // makes it look again, past its own copy and the shared one.
        await Poll.UntilAsync(async () => await PreviewSubjectAsync(_httpB, id) == "Hello Ann", Deadline, "the new version rendered on the other node");

        // Once both nodes have dropped the shared copies, what one node reads from the database the
        // other reads from the shared cache. Node A stored version 2 itself but, having heard of the
        // change, keeps it by version only, so it asks the shared cache which version is the newest.
        await Poll.UntilAsync(() => Task.FromResult(drops.Count >= 2), Deadline, "both nodes' drops of the changed template");
        await Poll.UntilAsync(
            async () => await PreviewSubjectAsync(_httpA, id) == "Hello Ann"
                && await PreviewSubjectAsync(_httpB, id) == "Hello Ann"
                && (await ReadSharedAsync(_httpA) || await ReadSharedAsync(_httpB)),
            Deadline,
            "a template read from the shared cache");
    }

    [Fact]
    public async Task Database_Stopped_MailStillAcceptedAndTheApiSays503()
    {
        using (var added = await _httpA.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "gone@dest.example", reason = "bounce" }))
        {
            Assert.True(added.IsSuccessStatusCode);
        }

        await Poll.UntilAsync(async () => (await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "gone@dest.example")).StartsWith("550", StringComparison.Ordinal), Deadline, "the suppression on node B");
        using (var warm = await _httpB.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        _postgres.Dispose();

        // Suppressions and the known key come from memory; the queue is the node's own.
        Assert.StartsWith("550 5.7.1", await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "gone@dest.example"), StringComparison.Ordinal);
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(_b.SmtpEndpoint, "a@src.example", "here@dest.example"), StringComparison.Ordinal);
        var id = await NodeApi.SendAsync(_httpB, "a@src.example", "here@dest.example", "while the database is down");
        Assert.False(string.IsNullOrEmpty(id));

        using var listed = await _httpB.GetAsync(new Uri("api/v1/suppressions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, listed.StatusCode);
        Assert.Equal("application/problem+json", listed.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", listed.Headers.RetryAfter?.ToString());
        Assert.Contains("State store unavailable", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterStatus_TwoNodesOnOneDatabase_BothListedAliveFromEitherNode()
    {
        var status = await Poll.ForAsync(
            () => _httpB.GetFromJsonAsync<JsonElement>(new Uri("api/v1/cluster", UriKind.Relative)),
            s => s.GetProperty("nodes").GetArrayLength() == 2,
            Deadline,
            "both nodes registered");

        Assert.True(status.GetProperty("database").GetProperty("reachable").GetBoolean());
        Assert.True(status.GetProperty("database").GetProperty("schemaVersion").GetInt32() >= 4, "the schema with the node registry and shared suspensions");
        Assert.Equal("embedded", status.GetProperty("node").GetProperty("queue").GetString());
        Assert.All(status.GetProperty("nodes").EnumerateArray(), n => Assert.True(n.GetProperty("alive").GetBoolean()));
        Assert.Contains(status.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("http").GetString() == $"127.0.0.1:{_a.HttpPort}");

        var (code, output, _) = await SluiceProcess.RunAsync(["cluster", "status", "--api", _a.HttpBase.ToString(), "--key", _a.ApiKey!, "--json"]);
        Assert.Equal(0, code);
        Assert.Contains($"127.0.0.1:{_b.HttpPort}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspensionAndSenderPause_MadeAndLiftedOnOneNode_HoldAndReleaseOnTheOther()
    {
        // Nodes that deliver (to a port where nothing listens: nothing is sent in this test).
        var environment = Environment();
        string[] relay = ["--relay-host", $"127.0.0.1:{FreePort.Next()}"];
        await using var c = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "c"), relay, environment, delivery: true);
        await using var d = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "d"), relay, environment, delivery: true);
        using var httpC = c.CreateHttpClient(_a.ApiKey);
        using var httpD = d.CreateHttpClient(_a.ApiKey);

        using (var suspended = await httpC.PostAsJsonAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative), new { destination = "slow.example", minutes = 30 }))
        {
            Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        }

        await Poll.UntilAsync(async () => (await httpD.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/suspensions", UriKind.Relative))).TryGetProperty("slow.example", out _), Deadline, "the suspension on the other node");

        using (var resumed = await httpC.DeleteAsync(new Uri("api/v1/queue/suspensions/slow.example", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }

        await Poll.UntilAsync(async () => !(await httpD.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/suspensions", UriKind.Relative))).TryGetProperty("slow.example", out _), Deadline, "the suspension lifted on the other node");

        // A sender paused through one node is held on the other; lifted through the other, it is lifted on the first.
        using (var paused = await httpC.PostAsJsonAsync(new Uri("api/v1/senders/pauses", UriKind.Relative), new { sender = "tag:spring", minutes = 30, reason = "checking a complaint" }))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        var onD = await Poll.ForAsync(async () => await PausesAsync(httpD), p => p.Count == 1, Deadline, "the pause on the other node");
        Assert.Equal(("tag:spring", "checking a complaint"), onD[0]);
        using (var lifted = await httpD.DeleteAsync(new Uri("api/v1/senders/pauses/tag:spring", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        }

        await Poll.UntilAsync(async () => (await PausesAsync(httpC)).Count == 0, Deadline, "the pause lifted on the first node");

        // A node on the shared database stops cleanly: exit code 0, no stack trace.
        Assert.Equal(0, await d.TerminateAsync(Deadline));
        Assert.DoesNotContain("Unhandled exception", d.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brake_BouncesSplitBetweenTwoNodes_PausesOnTheClustersCountsNotOneNodesAlone()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "refusing"), ["--rcpt-reject", "100"]);
        var environment = Environment();
        environment["SLUICE__Reputation__Brakes__0__Scope"] = "SenderDomain";
        environment["SLUICE__Reputation__Brakes__0__MinimumSent"] = "10";
        environment["SLUICE__Reputation__Brakes__0__MaxBounceRate"] = "0.5";
        string[] relay = ["--relay-host", $"127.0.0.1:{sink.SmtpPort}"];
        await using var c = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "c"), relay, environment, delivery: true);
        await using var d = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "d"), relay, environment, delivery: true);
        using var httpC = c.CreateHttpClient(_a.ApiKey);
        using var httpD = d.CreateHttpClient(_a.ApiKey);

        // Eight bounce through c: under the brake's minimum of ten sent there.
        for (var i = 0; i < 8; i++)
        {
            await NodeApi.SendAsync(httpC, "news@brake.example", $"c{i}@dest.example", "spring");
        }

        await Poll.UntilAsync(async () => await QueuedAsync(httpC) == 0, Deadline, "c's mail bounced", () => c.Output);
        Assert.Empty(await PausesAsync(httpC));

        // Through d one at a time: d's own count stays under ten; the brake sees c's too once d has asked for them.
        var throughD = 0;
        List<(string? Sender, string? Reason)> paused = [];
        while (paused.Count == 0 && throughD < 9)
        {
            await NodeApi.SendAsync(httpD, "news@brake.example", $"d{throughD++}@dest.example", "spring");
            await Poll.UntilAsync(async () => await QueuedAsync(httpD) == 0, Deadline, "d's mail bounced", () => d.Output);
            paused = await Poll.UpToAsync(() => PausesAsync(httpD), p => p.Count > 0, TimeSpan.FromSeconds(3));
        }

        var (sender, reason) = Assert.Single(paused);
        Assert.Equal("sender_domain:brake.example", sender);
        Assert.Contains($"of {8 + throughD} sent", reason, StringComparison.Ordinal);
        Assert.True(throughD < 10, "d paused on its own count");
    }

    private static async Task<long> QueuedAsync(HttpClient http)
        => (await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/summary", UriKind.Relative))).GetProperty("total").GetInt64();

    private static async Task<List<(string? Sender, string? Reason)>> PausesAsync(HttpClient http)
        => [.. (await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders/pauses", UriKind.Relative))).GetProperty("items").EnumerateArray()
            .Select(p => (p.GetProperty("sender").GetString(), p.GetProperty("reason").GetString()))];

    private Dictionary<string, string> Environment() => new()
    {
        ["SLUICE__Cluster__Postgres__ConnectionString"] = _postgres.ConnectionString,
        ["SLUICE__Cluster__Redis__Configuration"] = _redis.Configuration,
    };

    /// <summary>Whether this node has found a template in the shared cache (the series appears with its first count).</summary>
    private static async Task<bool> ReadSharedAsync(HttpClient http)
        => (await http.GetStringAsync(new Uri("metrics", UriKind.Relative))).Contains("sluice_template_cache_total{result=\"shared\"}", StringComparison.Ordinal);

    private static async Task<string?> PreviewSubjectAsync(HttpClient http, string id)
    {
        using var preview = await http.PostAsJsonAsync(new Uri($"api/v1/templates/{id}/preview", UriKind.Relative), new { variables = new { name = "Ann" } });
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        return (await preview.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subject").GetString();
    }
}
