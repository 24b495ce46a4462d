using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Nodes on the cluster queue (Cluster:RabbitMq, ADR 0033) with a real broker: a node killed with
/// mail in hand strands none of it, the brokers out of reach refuse mail instead of losing it, and
/// a node moving in from its embedded spool leaves nothing behind.
/// </summary>
public sealed class ClusterQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _processes = [];
    private RabbitMqServer? _broker;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _broker?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Node_KilledWithMailInHand_AnotherNodeDeliversEveryMessageOnce()
    {
        _broker = await RabbitMqServer.StartAsync();
        var sink = await StartSinkAsync();
        using var silent = new SilentPeer(new IPEndPoint(IPAddress.Loopback, 0));

        // Node A relays to a peer that never answers: whatever it takes stays in its hands.
        var a = await StartNodeAsync("a", silent.Endpoint.ToString());
        for (var i = 0; i < 12; i++)
        {
            await SendAsync(a, $"held by a {i:00}");
        }

        await Poll.UntilAsync(async () => await InFlightAsync(a) == 12, Deadline, "node A holding all twelve");
        await a.KillAsync();

        var b = await StartNodeAsync("b", sink.SmtpEndpoint.ToString());
        await Poll.UntilAsync(async () => (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() >= 12, Deadline, "the sink has all twelve", () => b.Output);
        var subjects = StoredSubjects();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"held by a {i:00}"), subjects.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Brokers_Unreachable_Refused451And503_ThenAcceptedOnceTheyAnswerWithoutARestart()
    {
        var port = FreePort.Next();
        var node = await StartNodeAsync("n", relayHost: null, amqpPort: port, waitReady: false);

        await using (var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO client.test");
            await dialog.BeginDataAsync("a@src.example", "b@dest.example");
            Assert.StartsWith("451 4.3.0 Queue unavailable", await dialog.CommandAsync("Subject: refused\r\n\r\nbody\r\n."), StringComparison.Ordinal);
        }

        using var http = node.CreateHttpClient();
        using (var refused = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@dest.example" }, subject = "refused", text = "x" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("Queue unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        _broker = await RabbitMqServer.StartAsync(port);
        await Poll.UntilAsync(async () => (await http.GetAsync(new Uri("readyz", UriKind.Relative))).IsSuccessStatusCode, Deadline, "ready once the broker answers", () => node.Output);
        Assert.False(string.IsNullOrEmpty(await NodeApi.SendAsync(http, "a@src.example", "b@dest.example", "accepted")));
    }

    [Fact]
    public async Task Node_MovingInFromItsSpool_HandsEveryQueuedMessageToTheCluster()
    {
        _broker = await RabbitMqServer.StartAsync();
        var sink = await StartSinkAsync();
        var data = Path.Combine(_dir.Path, "mover");
        var alone = await SluiceProcess.StartAsync(data);
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(alone, $"queued alone {i}");
        }

        Assert.Equal(0, await alone.TerminateAsync(Deadline));
        await alone.DisposeAsync();

        var moved = await StartNodeAsync("mover", sink.SmtpEndpoint.ToString());
        await Poll.UntilAsync(async () => (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() >= 5, Deadline, "the sink has all five", () => moved.Output);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"queued alone {i}"), StoredSubjects().Order(StringComparer.Ordinal));
        Assert.Contains("Moved 5 messages from the local spool into the cluster queue", moved.Output, StringComparison.Ordinal);

        // A cluster node stops cleanly: exit code 0, no stack trace.
        Assert.Equal(0, await moved.TerminateAsync(Deadline));
        Assert.DoesNotContain("Unhandled exception", moved.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_KilledAfterOneDomainWasDelivered_TheNextNodeSendsOnlyToTheOther()
    {
        _broker = await RabbitMqServer.StartAsync();
        using var postgres = await PostgresServer.StartAsync();
        var sink = await StartSinkAsync();
        using var silent = new SilentPeer(new IPEndPoint(IPAddress.Loopback, 0));
        var shared = new Dictionary<string, string> { ["SLUICE__Cluster__Postgres__ConnectionString"] = postgres.ConnectionString };

        // Node A delivers fast.example at once and waits forever on slow.example: the message is never settled.
        var a = await StartNodeAsync("a", relayHost: null, delivery: true, extra: new Dictionary<string, string>(shared)
        {
            ["SLUICE__Delivery__Routes__0__Domain"] = "fast.example",
            ["SLUICE__Delivery__Routes__0__Relay"] = sink.SmtpEndpoint.ToString(),
            ["SLUICE__Delivery__Routes__1__Domain"] = "slow.example",
            ["SLUICE__Delivery__Routes__1__Relay"] = silent.Endpoint.ToString(),
        });
        await using (var dialog = await SmtpDialog.ConnectAsync(a.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO client.test");
            Assert.StartsWith("250", await dialog.CommandAsync("MAIL FROM:<a@src.example>"), StringComparison.Ordinal);
            Assert.StartsWith("250", await dialog.CommandAsync("RCPT TO:<one@fast.example>"), StringComparison.Ordinal);
            Assert.StartsWith("250", await dialog.CommandAsync("RCPT TO:<two@slow.example>"), StringComparison.Ordinal);
            Assert.StartsWith("354", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
            Assert.StartsWith("250", await dialog.CommandAsync("Subject: two domains\r\n\r\nbody\r\n."), StringComparison.Ordinal);
        }

        await Poll.UntilAsync(async () => (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 1, Deadline, "fast.example delivered by node A");
        await Poll.UntilAsync(async () => await DeliveredRowsAsync(postgres) == 1, Deadline, "the delivery recorded");
        await a.KillAsync();

        var b = await StartNodeAsync("b", sink.SmtpEndpoint.ToString(), extra: shared);
        await Poll.UntilAsync(async () => (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() >= 2, Deadline, "slow.example delivered by node B", () => b.Output);
        // One cluster, one set of keys: node B made none of its own.
        await Poll.UntilAsync(async () => await InFlightAsync(b, a.ApiKey) == 0, Deadline, "node B settled the message");

        Assert.Equal(2, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());
        var envelopes = Directory.GetFiles(Path.Combine(_dir.Path, "sink", "envelopes")).Select(File.ReadAllText).ToList();
        Assert.Single(envelopes, e => e.Contains("one@fast.example", StringComparison.Ordinal));
        Assert.Single(envelopes, e => e.Contains("two@slow.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Standby_ActiveNodeKilledAndBack_TakesOverWithinTenSecondsThenGivesBack()
    {
        _broker = await RabbitMqServer.StartAsync();
        var sink = await StartSinkAsync();
        var active = new Dictionary<string, string> { ["SLUICE__Delivery__Client__HeloName"] = "a.node.test" };
        var a = await StartNodeAsync("a", sink.SmtpEndpoint.ToString(), extra: active);
        var s = await StartNodeAsync("s", sink.SmtpEndpoint.ToString(), extra: new Dictionary<string, string>
        {
            ["SLUICE__Delivery__Client__HeloName"] = "s.node.test",
            ["SLUICE__Cluster__RabbitMq__Role"] = "Standby",
        });

        await SendAsync(s, "one");
        Assert.Equal("a.node.test", await DeliveredByAsync(sink, "one"));
        using var statusOfS = s.CreateHttpClient();
        var before = await statusOfS.GetFromJsonAsync<JsonElement>(new Uri("api/v1/cluster", UriKind.Relative));
        Assert.Equal("standby", before.GetProperty("node").GetProperty("role").GetString());
        Assert.False(before.GetProperty("node").GetProperty("consuming").GetBoolean());

        await a.KillAsync();
        var died = System.Diagnostics.Stopwatch.StartNew();
        await SendAsync(s, "two");
        Assert.Equal("s.node.test", await DeliveredByAsync(sink, "two"));
        Assert.True(died.Elapsed < TimeSpan.FromSeconds(10), $"the standby delivered {died.Elapsed} after the active node died");
        var after = await statusOfS.GetFromJsonAsync<JsonElement>(new Uri("api/v1/cluster", UriKind.Relative));
        Assert.True(after.GetProperty("node").GetProperty("consuming").GetBoolean());

        _processes.Remove(a);
        await a.DisposeAsync();
        a = await StartNodeAsync("a", sink.SmtpEndpoint.ToString(), extra: active);
        await Poll.UntilAsync(() => Task.FromResult(s.Output.Contains("giving back", StringComparison.Ordinal)), Deadline, "the standby giving back");
        await SendAsync(s, "three");
        Assert.Equal("a.node.test", await DeliveredByAsync(sink, "three"));
    }

    /// <summary>The EHLO name of the node that delivered the message with that subject to the sink.</summary>
    private async Task<string?> DeliveredByAsync(SluiceProcess sink, string subject)
    {
        var sinkDir = Path.Combine(_dir.Path, "sink");
        var file = await Poll.ForAsync(
            () => Task.FromResult(Directory.Exists(Path.Combine(sinkDir, "new"))
                ? Directory.GetFiles(Path.Combine(sinkDir, "new")).FirstOrDefault(f => File.ReadLines(f).Any(l => l == "Subject: " + subject))
                : null),
            f => f is not null,
            Deadline,
            $"'{subject}' at the sink");
        var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sinkDir, "envelopes", Path.GetFileNameWithoutExtension(file!) + ".json"))).RootElement;
        return envelope.GetProperty("heloName").GetString();
    }

    private static async Task<long> DeliveredRowsAsync(PostgresServer postgres)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM delivered_recipients", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task<SluiceProcess> StartSinkAsync()
    {
        var sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"));
        _processes.Add(sink);
        return sink;
    }

    private async Task<SluiceProcess> StartNodeAsync(string name, string? relayHost, int? amqpPort = null, bool waitReady = true, bool delivery = false, Dictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(extra ?? [])
        {
            ["SLUICE__Cluster__RabbitMq__Uris__0"] = $"amqp://guest:guest@127.0.0.1:{amqpPort ?? _broker!.Port}/",
            ["SLUICE__Cluster__RabbitMq__Shards"] = "2",
        };
        string[] args = relayHost is null ? [] : ["--relay-host", relayHost];
        var node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, name), args, environment, delivery: delivery || relayHost is not null, waitForReady: waitReady);
        _processes.Add(node);
        return node;
    }

    private static async Task SendAsync(SluiceProcess node, string subject)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO client.test");
        await dialog.BeginDataAsync("a@src.example", "b@dest.example");
        Assert.StartsWith("250", await dialog.CommandAsync($"Subject: {subject}\r\n\r\nbody\r\n."), StringComparison.Ordinal);
    }

    private static async Task<long> InFlightAsync(SluiceProcess node, string? key = null)
    {
        using var http = node.CreateHttpClient(key);
        var summary = await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/summary", UriKind.Relative));
        return summary.GetProperty("byState").TryGetProperty("in-flight", out var inFlight) ? inFlight.GetInt64() : 0;
    }

    private List<string> StoredSubjects()
        => [.. Directory.GetFiles(Path.Combine(_dir.Path, "sink", "new")).Select(f => File.ReadLines(f).First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..])];
}
