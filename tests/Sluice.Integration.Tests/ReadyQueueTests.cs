using System.Net;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The engine's promise, against real `sluice sink` peers: each destination has its own ready
/// queue, so a slow, a silent and a throttling destination delay only their own mail; held mail
/// (suspended, resting, or more than a queue keeps) is not charged attempts and is never sent twice.
/// </summary>
public sealed class ReadyQueueTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>
{
    [Fact]
    public async Task Deliver_SlowSilentAndThrottlingBesideHealthy_HealthyMailIsNotHeldUp()
    {
        using var data = new TempDirectory();
        using var slowStore = new TempDirectory();
        using var throttleStore = new TempDirectory();
        using var fastStore = new TempDirectory();
        await using var slow = await world.StartSinkAsync(slowStore.Path, "127.0.0.9", "--latency", "2000");
        await using var throttle = await world.StartSinkAsync(throttleStore.Path, "127.0.0.11", "--connect-refuse", "100");
        await using var fast = await world.StartSinkAsync(fastStore.Path, "127.0.0.12");
        using var silent = new SilentPeer(new IPEndPoint(IPAddress.Parse("127.0.0.10"), world.MxPort));
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Delivery__Shaping__Domains__slow.test__MaxConnections"] = "1",
            ["SLUICE__Delivery__Shaping__Default__CommandTimeout"] = "00:05:00",
        };
        await using var node = await world.StartNodeAsync(data.Path, environment, null, TimeSpan.FromMinutes(10));

        // The bad destinations get their mail first, so a shared queue would put the healthy mail behind it.
        await SendManyAsync(node, "slow.test", 150);
        await SendManyAsync(node, "silent.test", 50);
        await SendManyAsync(node, "throttle.test", 50);
        await SendManyAsync(node, "fast.test", 100);

        await Poll.UntilAsync(async () => (await fast.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 100, TimeSpan.FromSeconds(60), "all healthy mail delivered", () => node.Output);
        var slowDone = (await slow.SinkStatsAsync()).GetProperty("accepted").GetInt64();
        Assert.True(slowDone < 30, $"the slow destination (one connection, 2 s per reply) cannot have taken much yet: {slowDone}");
        Assert.True(silent.Accepted >= 1, "the silent destination was tried");
        Assert.Equal(0, (await throttle.SinkStatsAsync()).GetProperty("accepted").GetInt64());

        var queuedMs = await Poll.ForAsync(() => Task.FromResult(DeliveredQueuedMs(data.Path, "fast.test")), q => q.Count >= 100, TimeSpan.FromSeconds(10), "the healthy deliveries in the event log");
        Assert.Equal(100, queuedMs.Count);
        Assert.True(queuedMs.Max() < 30_000, $"healthy mail waited at most {queuedMs.Max()} ms");
    }

    [Fact]
    public async Task Suspend_Destination_HoldsWithoutAttemptsAndResumeSendsAtOnce()
    {
        using var data = new TempDirectory();
        await using var node = await world.StartNodeAsync(data.Path, null, TimeSpan.FromMinutes(10));
        using var http = node.CreateHttpClient();
        (await http.PostAsync("api/v1/queue/suspensions", Json("{\"destination\":\"example.test\",\"minutes\":30}"))).EnsureSuccessStatusCode();
        var token = Guid.NewGuid().ToString("N");

        var id = await SendAsync(node, $"held-{token}@example.test", token);
        var held = await Poll.ForAsync(() => MessageAsync(http, id), m => m.GetProperty("state").GetString() == "held", TimeSpan.FromSeconds(30), "the message is held");
        Assert.Equal(0, held.GetProperty("attempts").GetInt32());
        Assert.False(File.Exists(StoredFile(world.StoreA, token)), "nothing is sent while suspended");

        (await http.DeleteAsync(new Uri("api/v1/queue/suspensions/example.test", UriKind.Relative))).EnsureSuccessStatusCode();

        await DeliveryFixture.WaitForMessageAsync(world.StoreA, token, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(Events(data.Path), e => e.MessageId == id && e.Type == "deferred");
    }

    [Fact]
    public async Task Rest_AfterConnectionFailures_HoldsTheRestWithoutChargingAttempts()
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Delivery__Shaping__Default__FailuresBeforeCooldown"] = "2",
            ["SLUICE__Delivery__Shaping__Default__FailureCooldown"] = "00:10:00",
        };
        await using var node = await world.StartNodeAsync(data.Path, environment, null, TimeSpan.FromMinutes(10), "--relay-host", $"127.0.0.4:{world.MxPort}");
        using var http = node.CreateHttpClient();

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await SendAsync(node, $"r{i}@resting.example", Guid.NewGuid().ToString("N")));
        }

        var states = await Poll.ForAsync(
            async () => await Task.WhenAll(ids.Select(id => MessageAsync(http, id))),
            all => all.All(m => m.GetProperty("state").GetString() is "held" or "queued") && all.Count(m => m.GetProperty("state").GetString() == "held") >= 7,
            TimeSpan.FromSeconds(30),
            "the resting queue holds its mail");
        var charged = states.Count(m => m.GetProperty("attempts").GetInt32() > 0);
        Assert.InRange(charged, 1, 3);
        Assert.All(states.Where(m => m.GetProperty("state").GetString() == "held"), m => Assert.Equal(0, m.GetProperty("attempts").GetInt32()));
        var policy = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/delivery/policy", UriKind.Relative))).RootElement;
        Assert.Contains(policy.GetProperty("sites").EnumerateArray(), s => s.GetProperty("restingUntil").ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task Overflow_MoreThanAQueueKeeps_EachMessageDeliveredExactlyOnce()
    {
        using var data = new TempDirectory();
        using var store = new TempDirectory();
        await using var sink = await world.StartSinkAsync(store.Path, "127.0.0.12", "--latency", "20");
        var environment = new Dictionary<string, string> { ["SLUICE__Delivery__MaxWaitingPerQueue"] = "5" };
        await using var node = await world.StartNodeAsync(data.Path, environment, null, null);
        const int messages = 80;

        await SendManyAsync(node, "fast.test", messages);

        await Poll.UntilAsync(async () => await QueueTotalAsync(node) == 0, TimeSpan.FromSeconds(90), "the queue drained", () => node.Output);
        var subjects = Directory.GetFiles(Path.Combine(store.Path, "new")).Select(f => File.ReadLines(f).First(l => l.StartsWith("Subject:", StringComparison.Ordinal))).ToList();
        Assert.Equal(messages, subjects.Count);
        Assert.Equal(messages, subjects.Distinct(StringComparer.Ordinal).Count());

        // The event log is written behind: wait for it, then every message has exactly one delivery.
        var deliveries = await Poll.ForAsync(
            () => Task.FromResult(Events(data.Path).Where(e => e.Type == "delivered").Select(e => e.MessageId).ToList()),
            d => d.Count >= messages,
            TimeSpan.FromSeconds(10),
            "every delivery in the event log");
        Assert.Equal(messages, deliveries.Distinct().Count());
        Assert.Equal(messages, deliveries.Count);
    }

    private static async Task SendManyAsync(SluiceProcess node, string domain, int count)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO load.test");
        for (var i = 0; i < count; i++)
        {
            await dialog.BeginDataAsync("load@src.test", $"r{i}@{domain}");
            Assert.StartsWith("250 ", await dialog.CommandAsync($"Subject: {domain} {i} {Guid.NewGuid():N}\r\n\r\nx\r\n."), StringComparison.Ordinal);
        }
    }

    private static async Task<string> SendAsync(SluiceProcess node, string to, string token)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO client.test");
        await dialog.BeginDataAsync("sender@src.test", to);
        var reply = await dialog.CommandAsync($"Subject: {token}\r\n\r\nhello {token}\r\n.");
        Assert.StartsWith("250 2.0.0 OK: queued as ", reply, StringComparison.Ordinal);
        return reply["250 2.0.0 OK: queued as ".Length..];
    }

    private static async Task<JsonElement> MessageAsync(HttpClient http, string id)
        => JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/queue/messages/{id}", UriKind.Relative))).RootElement.Clone();

    private static async Task<long> QueueTotalAsync(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).RootElement.GetProperty("total").GetInt64();
    }

    private static string? StoredFile(string store, string token)
    {
        var folder = Path.Combine(store, "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).FirstOrDefault(f => File.ReadAllText(f).Contains(token, StringComparison.Ordinal)) : null;
    }

    private static List<EventLine> Events(string dataDirectory) => EventFiles.Read(dataDirectory);

    private static List<double> DeliveredQueuedMs(string dataDirectory, string domain)
        => [.. Events(dataDirectory)
            .Where(e => e.Type == "delivered" && e.Recipient!.EndsWith("@" + domain, StringComparison.Ordinal))
            .Select(e => e.QueuedMs!.Value)];

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
