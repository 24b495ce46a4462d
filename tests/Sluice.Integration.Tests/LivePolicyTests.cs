using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The delivery policy changes while the node runs: routes and shaping reload from the config file
/// (or SIGHUP, or the HTTP API), a bad config is refused and the old one kept, per-domain limits and
/// timeouts apply to their own queue, and an operator's suspension survives a restart. Every peer
/// is a `sluice sink` on loopback; every route is a relay, so no DNS is asked.
/// </summary>
public sealed class LivePolicyTests
{
    [Fact]
    public async Task Reload_ConfigFileChanged_NewRouteAndDomainLimitTakeEffectWithoutRestart()
    {
        using var dir = new TempDirectory();
        await using var sinkX = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "x"), ["--latency", "30"], "127.0.0.9");
        await using var sinkY = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "y"), ["--latency", "30"], "127.0.0.10");
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, Config(sinkX, """ "Default": { "MaxConnections": 1, "InitialConnections": 1 } """));
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config], delivery: true);

        await SinkLoad.SendAsync(node, "narrow.example", sessions: 3, messages: 30);
        await SinkLoad.WaitAcceptedAsync(sinkX, 30);
        Assert.Equal(1, (await sinkX.SinkStatsAsync()).GetProperty("maxConcurrentConnections").GetInt64());

        // A new route for everything and a wider limit for one domain, written while the node runs.
        await File.WriteAllTextAsync(config, Config(sinkY, """
            "Default": { "MaxConnections": 1, "InitialConnections": 1 },
            "Domains": { "wide.example": { "MaxConnections": 3, "InitialConnections": 3 } }
            """));
        var policy = await WaitForGenerationAsync(node, 2);
        Assert.Equal(3, policy.GetProperty("shaping").GetProperty("domains").GetProperty("wide.example").GetProperty("maxConnections").GetInt32());

        await SinkLoad.SendAsync(node, "wide.example", sessions: 6, messages: 60);
        await SinkLoad.WaitAcceptedAsync(sinkY, 60);
        Assert.InRange((await sinkY.SinkStatsAsync()).GetProperty("maxConcurrentConnections").GetInt64(), 2, 3);
        Assert.Equal(30, (await sinkX.SinkStatsAsync()).GetProperty("accepted").GetInt64());
        Assert.Contains("Configuration reloaded (file changed): delivery policy generation 2", node.Output, StringComparison.Ordinal);

        // The domain has its own queue at the relay site, with its own window.
        var sites = (await PolicyAsync(node)).GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("pool").GetString()).ToList();
        Assert.Contains(sites, s => s!.EndsWith("|@wide.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_BadConfig_IsRefusedWithTheKeyAndTheRunningPolicyKept()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "sink"), [], "127.0.0.9");
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, Config(sink, """ "Default": { "MaxConnections": 2 } """));
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config], delivery: true);

        // Broken JSON, noticed by the file watcher.
        await File.WriteAllTextAsync(config, "{ \"Delivery\": { ");
        await WaitForOutputAsync(node, "Configuration reload (file changed) refused");

        // Valid JSON, invalid value, on SIGHUP.
        await File.WriteAllTextAsync(config, Config(sink, """ "Default": { "MaxConnections": 0 } """));
        Posix.Signal(node.Pid, Posix.SigHup);
        await WaitForOutputAsync(node, "Delivery:Shaping:Default:MaxConnections: must be at least 1");

        // A misspelt key is refused too, not ignored (the reload with "Concurrensy").
        await File.WriteAllTextAsync(config, Config(sink, """ "Default": { "MaxConnections": 3 } """).Replace("\"Delivery\": {", "\"Delivery\": { \"Concurrensy\": 9,", StringComparison.Ordinal));
        Posix.Signal(node.Pid, Posix.SigHup);
        await WaitForOutputAsync(node, "Delivery:Concurrensy: unknown key (did you mean 'Concurrency'?)");

        // And over HTTP: a problem naming the key.
        await File.WriteAllTextAsync(config, Config(sink, """ "Default": { "MaxConnections": 0 } """));
        using var http = node.CreateHttpClient();
        using var response = await http.PostAsync(new Uri("api/v1/delivery/reload", UriKind.Relative), null);
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Delivery:Shaping:Default:MaxConnections", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var policy = await PolicyAsync(node);
        Assert.Equal(1, policy.GetProperty("generation").GetInt32());
        Assert.Equal(2, policy.GetProperty("shaping").GetProperty("defaults").GetProperty("maxConnections").GetInt32());

        // Mail still flows under the kept policy.
        await SinkLoad.SendAsync(node, "kept.example", sessions: 1, messages: 3);
        await SinkLoad.WaitAcceptedAsync(sink, 3);
    }

    [Fact]
    public async Task Shaping_DomainCommandTimeout_AppliesToThatDomainOnly()
    {
        using var dir = new TempDirectory();

        // Every reply of this sink comes 600 ms late: too late for impatient.example's 200 ms timeout.
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "sink"), ["--latency", "600"], "127.0.0.9");
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, Config(sink, """ "Domains": { "impatient.example": { "CommandTimeout": "00:00:00.200" } } """));
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config], delivery: true);

        await SinkLoad.SendAsync(node, "impatient.example", sessions: 1, messages: 1);
        await SinkLoad.SendAsync(node, "patient.example", sessions: 1, messages: 1);

        await SinkLoad.WaitAcceptedAsync(sink, 1);
        var failure = await WaitForEventAsync(node, "deferred");
        Assert.EndsWith("@impatient.example", failure.Recipient, StringComparison.Ordinal);
        Assert.Contains("timeout", failure.Reply, StringComparison.OrdinalIgnoreCase);
        var delivered = await WaitForEventAsync(node, "delivered");
        Assert.EndsWith("@patient.example", delivered.Recipient, StringComparison.Ordinal);

        // Timings: how long the attempt took, and how long since reception.
        Assert.True(delivered.DurationMs!.Value >= 600, delivered.ToString());
        Assert.True(delivered.QueuedMs!.Value >= delivered.DurationMs!.Value, delivered.ToString());
    }

    [Fact]
    public async Task Suspend_ByOperator_SurvivesRestartAndResumeDelivers()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "sink"), [], "127.0.0.9");
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, Config(sink, """ "Default": { } """));
        var data = Path.Combine(dir.Path, "data");
        var node = await SluiceProcess.StartAsync(data, ["--config", config], delivery: true);
        try
        {
            using (var http = node.CreateHttpClient())
            {
                using var suspend = await http.PostAsJsonAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative), new { destination = "held.example", minutes = 30 });
                Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync());
            }

            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
            await node.DisposeAsync();
            node = await SluiceProcess.StartAsync(data, ["--config", config], delivery: true);

            using var again = node.CreateHttpClient();
            var suspensions = JsonDocument.Parse(await again.GetStringAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative))).RootElement;
            Assert.True(suspensions.TryGetProperty("held.example", out _), suspensions.ToString());

            await SinkLoad.SendAsync(node, "held.example", sessions: 1, messages: 1);
            await Poll.UntilAsync(
                async () => JsonDocument.Parse(await again.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).RootElement.GetProperty("byState").TryGetProperty("held", out var held) && held.GetInt64() == 1,
                TimeSpan.FromSeconds(30),
                "the message is held for the suspended domain");
            Assert.Equal(0, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());

            // Resume releases the held mail at once: no flush.
            using var resume = await again.DeleteAsync(new Uri("api/v1/queue/suspensions/held.example", UriKind.Relative));
            Assert.True(resume.IsSuccessStatusCode);
            await SinkLoad.WaitAcceptedAsync(sink, 1);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static string Config(SluiceProcess relay, string shaping) => $$"""
        {
          "Smtp": { "Hostname": "node.sluice.test" },
          "Delivery": {
            "Routes": [ { "Domain": "*", "Relay": "{{relay.SmtpEndpoint}}" } ],
            "Retry": { "Intervals": [ "00:00:01" ], "Jitter": 0 },
            "PollInterval": "00:00:00.200",
            "Shaping": { {{shaping}} }
          }
        }
        """;

    [Fact]
    public async Task Policy_NoRetryConfigured_ShowsTheDefaultIntervalsInForce()
    {
        using var dir = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--relay-host", "127.0.0.1:9"], delivery: true);

        var retry = (await PolicyAsync(node)).GetProperty("retry");

        Assert.Equal(["00:01:00", "00:05:00", "00:15:00", "00:30:00", "01:00:00", "02:00:00", "04:00:00"], retry.GetProperty("intervals").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("5.00:00:00", retry.GetProperty("maxAge").GetString());
    }

    private static async Task<JsonElement> PolicyAsync(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/delivery/policy", UriKind.Relative))).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitForGenerationAsync(SluiceProcess node, int generation)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var policy = await PolicyAsync(node);
            if (policy.GetProperty("generation").GetInt32() >= generation || DateTime.UtcNow > deadline)
            {
                Assert.Equal(generation, policy.GetProperty("generation").GetInt32());
                return policy;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitForOutputAsync(SluiceProcess node, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!node.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{text}' in the node's output:\n{node.Output}");
            await Task.Delay(50);
        }
    }

    private static async Task<EventLine> WaitForEventAsync(SluiceProcess node, string type)
        => (await Poll.ForAsync(() => Task.FromResult(EventFiles.Read(node.DataDirectory).FirstOrDefault(e => e.Type == type)), e => e is not null, TimeSpan.FromSeconds(30), $"a {type} event"))!;
}
