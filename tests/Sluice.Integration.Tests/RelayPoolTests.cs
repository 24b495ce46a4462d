using System.Globalization;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Relay pools with real processes on loopback: `sluice sink` relays on 127.0.0.11–13 (and a
/// Postfix), a node routing everything to the pool, members killed with SIGKILL and restarted.
/// </summary>
public sealed class RelayPoolTests
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Pool_MemberKilledMidRun_EveryMessageReachesSurvivorsOnceAndMemberRejoins()
    {
        using var dir = new TempDirectory();
        var stores = new[] { "a", "b", "c" }.Select(n => Path.Combine(dir.Path, n)).ToArray();
        var sinks = new SluiceProcess[3];
        for (var i = 0; i < 3; i++)
        {
            sinks[i] = await SluiceProcess.StartSinkAsync(stores[i], [], $"127.0.0.{11 + i}");
        }

        try
        {
            await using var node = await StartNodeAsync(dir, Pool("relays", "RoundRobin", sinks.Select((s, i) => Member($"r{i}", s)).ToArray()));
            const int sessions = 20, perSession = 1000, total = sessions * perSession;
            var sending = SendAsync(node, sessions, perSession, "pool.example");

            // Kill the second relay once a quarter of the run has gone through.
            await PollAsync(async () => await AcceptedAsync(sinks) >= total / 4, TimeSpan.FromSeconds(120), "a quarter of the run delivered");
            await sinks[1].KillAsync();
            var killedAt = DateTime.UtcNow;
            await PollAsync(async () => await MemberHealthAsync(node, "r1") == "Unhealthy", TimeSpan.FromSeconds(10), "r1 marked unhealthy");
            var detection = DateTime.UtcNow - killedAt;

            await sending;
            await Poll.UntilAsync(async () => await QueueTotalAsync(node) == 0, TimeSpan.FromSeconds(180), "the queue drained", () => DebugState(node));

            // Every message reached a survivor exactly once (what the dead relay stored before dying may be sent again: that is SMTP's at-least-once).
            var survivors = Tokens(stores[0]).Concat(Tokens(stores[2])).ToList();
            Assert.Equal(survivors.Count, survivors.Distinct().Count());
            var everything = survivors.Concat(Tokens(stores[1])).ToHashSet();
            Assert.Equal(total, everything.Count);
            Assert.True(detection < ProbeInterval * 2 + TimeSpan.FromSeconds(3), $"unhealthy after {detection.TotalMilliseconds} ms");

            // It comes back on its own when it is restarted.
            var port = sinks[1].SmtpPort;
            await sinks[1].DisposeAsync();
            sinks[1] = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "b2"), [], "127.0.0.12", port);
            await PollAsync(async () => await MemberHealthAsync(node, "r1") == "Healthy", TimeSpan.FromSeconds(10), "r1 healthy again");
            await SendAsync(node, 1, 30, "pool.example");
            await PollAsync(async () => (await sinks[1].SinkStatsAsync()).GetProperty("accepted").GetInt64() >= 10, TimeSpan.FromSeconds(30), "r1 takes its share again");
        }
        finally
        {
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Pool_ActiveTierKilled_StandbyTakesOverAndFailsBack()
    {
        using var dir = new TempDirectory();
        await using var active = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "active"), [], "127.0.0.11");
        await using var standby = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "standby"), [], "127.0.0.12");
        await using var node = await StartNodeAsync(dir, Pool("ha", "PowerOfTwoChoices", Member("active", active), Member("standby", standby, tier: 2)));

        await SendAsync(node, 1, 10, "ha.example");
        await PollAsync(async () => (await active.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 10, TimeSpan.FromSeconds(30), "active takes everything");
        Assert.Equal(0, (await standby.SinkStatsAsync()).GetProperty("accepted").GetInt64());

        var port = active.SmtpPort;
        await active.KillAsync();
        await PollAsync(async () => await MemberHealthAsync(node, "active") == "Unhealthy", TimeSpan.FromSeconds(10), "active marked unhealthy");
        await SendAsync(node, 1, 10, "ha.example");
        await PollAsync(async () => (await standby.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 10, TimeSpan.FromSeconds(30), "standby takes over");

        await using var back = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "back"), [], "127.0.0.11", port);
        await PollAsync(async () => await MemberHealthAsync(node, "active") == "Healthy", TimeSpan.FromSeconds(10), "active healthy again");
        await SendAsync(node, 1, 10, "ha.example");
        await PollAsync(async () => (await back.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 10, TimeSpan.FromSeconds(30), "failback to the active tier", node);
        Assert.Equal(10, (await standby.SinkStatsAsync()).GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Pool_RealPostfixMember_ReceivesOverStartTlsAndShowsInPools()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Next(System.Net.IPAddress.Parse("127.0.0.13"));
        using var postfix = PostfixServer.Start("127.0.0.13", port);
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "sink"), [], "127.0.0.11");
        var postfixMember = $$"""{ "Name": "postfix", "Address": "127.0.0.13:{{port}}", "Tls": "Required" }""";
        await using var node = await StartNodeAsync(dir, Pool("mixed", "First", postfixMember, Member("sink", sink)));

        var token = Guid.NewGuid().ToString("N");
        await SendAsync(node, 1, 1, "mixed.example", token);

        await PollAsync(() => Task.FromResult(postfix.HeldMessages().Any(m => m.Contains(token, StringComparison.Ordinal))), TimeSpan.FromSeconds(30), "Postfix holds the message");
        Assert.Contains("with ESMTPS id", postfix.HeldMessages().Single(m => m.Contains(token, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(0, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());

        var (code, stdout, _) = await SluiceProcess.RunAsync(["pools", "--api", node.HttpBase.ToString(), "--key", node.ApiKey!]);
        Assert.Equal(0, code);
        Assert.Contains("mixed (First", stdout, StringComparison.Ordinal);
        Assert.Contains("postfix", stdout, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.13:{port}", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_MemberWithCredentials_AuthenticatesOverStartTlsAndNeverLogsThePassword()
    {
        using var dir = new TempDirectory();
        const string password = "relay-pass-7Qx!";
        var (_, hash, _) = await SluiceProcess.RunAsync(["passwd"], stdin: password);
        var upstreamConfig = Path.Combine(dir.Path, "upstream.json");
        await File.WriteAllTextAsync(upstreamConfig, $$"""
            {
              "Smtp": {
                "Auth": { "Users": [ { "Name": "relayuser", "PasswordHash": "{{hash.Trim()}}" } ] },
                "Listeners": [ { "Name": "submission", "Address": "127.0.0.1:0", "Role": "Submission" } ]
              }
            }
            """);
        await using var upstream = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "upstream"), ["--config", upstreamConfig]);
        var member = $$"""{ "Name": "upstream", "Address": "{{upstream.SmtpEndpoint}}", "Username": "relayuser", "Password": "{{password}}" }""";
        await using var node = await StartNodeAsync(dir, Pool("authed", "First", member));

        await SendAsync(node, 1, 2, "authed.example");

        await PollAsync(async () => await QueueTotalAsync(upstream) == 2, TimeSpan.FromSeconds(30), "the upstream queued both", node);
        await PollAsync(async () => await QueueTotalAsync(node) == 0, TimeSpan.FromSeconds(30), "the node handed both over", node);
        Assert.DoesNotContain(password, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, upstream.Output, StringComparison.Ordinal);
        using var http = node.CreateHttpClient();
        Assert.DoesNotContain(password, await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative)), StringComparison.Ordinal);
        Assert.DoesNotContain(password, await http.GetStringAsync(new Uri("api/v1/delivery/policy", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_ReloadDrainsAMemberKeepsCountersAndRefusesUnknownPolicy()
    {
        using var dir = new TempDirectory();
        await using var a = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "a"), [], "127.0.0.11");
        await using var b = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "b"), [], "127.0.0.12");
        await using var node = await StartNodeAsync(dir, Pool("lb", "WeightedRoundRobin", Member("a", a), Member("b", b)));
        await SendAsync(node, 1, 10, "lb.example");
        await PollAsync(async () => await AcceptedAsync([a, b]) == 10, TimeSpan.FromSeconds(30), "first ten delivered");
        Assert.Equal(5, (await b.SinkStatsAsync()).GetProperty("accepted").GetInt64());

        // Drain b (weight 0) by editing the config file.
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace(Member("b", b), Member("b", b).Replace("\"Tier\"", "\"Weight\": 0, \"Tier\"", StringComparison.Ordinal), StringComparison.Ordinal));
        await PollAsync(async () => (await MemberAsync(node, "b")).GetProperty("weight").GetInt32() == 0, TimeSpan.FromSeconds(10), "b drained", node);
        Assert.Equal(5, (await MemberAsync(node, "b")).GetProperty("selected").GetInt64()); // state kept across the reload
        await SendAsync(node, 1, 10, "lb.example");
        await PollAsync(async () => (await a.SinkStatsAsync()).GetProperty("accepted").GetInt64() == 15, TimeSpan.FromSeconds(30), "a takes all", node);
        Assert.Equal(5, (await b.SinkStatsAsync()).GetProperty("accepted").GetInt64());
        using (var metricsClient = node.CreateHttpClient())
        {
            var metrics = await metricsClient.GetStringAsync(new Uri("metrics", UriKind.Relative));
            Assert.Contains("sluice_pool_member_health{member=\"b\",pool=\"lb\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("sluice_pool_member_selected_total{member=\"a\",pool=\"lb\"} 15", metrics, StringComparison.Ordinal);
            Assert.Contains("sluice_pool_probe_duration_bucket{", metrics, StringComparison.Ordinal);
        }

        // An unknown policy is refused; the running pools stay.
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("WeightedRoundRobin", "Fastest", StringComparison.Ordinal));
        await PollAsync(() => Task.FromResult(node.Output.Contains("Delivery:Pools:0:Policy: unknown policy 'Fastest'", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the refusal logged", node);
        using var http = node.CreateHttpClient();
        Assert.Contains("\"policy\":\"WeightedRoundRobin\"", await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> MemberAsync(SluiceProcess node, string member)
    {
        using var http = node.CreateHttpClient();
        var pools = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative))).RootElement;
        return pools.EnumerateArray().SelectMany(p => p.GetProperty("members").EnumerateArray()).First(m => m.GetProperty("name").GetString() == member).Clone();
    }

    private static string Member(string name, SluiceProcess sink, int tier = 1)
        => $$"""{ "Name": "{{name}}", "Address": "{{sink.SmtpEndpoint}}", "Tier": {{tier}} }""";

    private static string Pool(string name, string policy, params string[] members) => $$"""
        {
          "Name": "{{name}}",
          "Policy": "{{policy}}",
          "Members": [ {{string.Join(", ", members)}} ],
          "HealthCheck": { "Interval": "{{ProbeInterval:c}}", "Timeout": "00:00:01", "UnhealthyThreshold": 2, "HealthyThreshold": 1 },
          "Passive": { "MinimumSamples": 5, "FailureRate": 0.5, "ReactivationPeriod": "00:00:02" }
        }
        """;

    private static async Task<SluiceProcess> StartNodeAsync(TempDirectory dir, string pool)
    {
        var config = Path.Combine(dir.Path, "sluice.json");
        var name = JsonDocument.Parse(pool).RootElement.GetProperty("Name").GetString();
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "Pools": [ {{pool}} ],
                "Routes": [ { "Domain": "*", "Pool": "{{name}}" } ],
                "Retry": { "Intervals": [ "00:00:01" ], "Jitter": 0 },
                "PollInterval": "00:00:00.200",
                "Shaping": { "Default": { "ConnectTimeout": "00:00:01", "InitialConnections": 10 } }
              }
            }
            """);
        return await SluiceProcess.StartAsync(Path.Combine(dir.Path, "node"), ["--config", config], delivery: true);
    }

    private static Task SendAsync(SluiceProcess node, int sessions, int perSession, string domain, string? token = null)
        => Task.WhenAll(Enumerable.Range(0, sessions).Select(c => Task.Run(async () =>
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO load.test");
            for (var i = 0; i < perSession; i++)
            {
                var tag = token ?? string.Create(CultureInfo.InvariantCulture, $"t{c}-{i}-{Guid.NewGuid():N}");
                await dialog.BeginDataAsync("load@src.test", $"rcpt@{domain}");
                var reply = await dialog.CommandAsync($"Subject: {tag}\r\n\r\nbody\r\n.");
                Assert.StartsWith("250 ", reply, StringComparison.Ordinal);
            }
        })));

    private static IEnumerable<string> Tokens(string store)
    {
        var folder = Path.Combine(store, "new");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("Subject: ", StringComparison.Ordinal))
                {
                    yield return line["Subject: ".Length..];
                    break;
                }
            }
        }
    }

    private static async Task<long> AcceptedAsync(SluiceProcess[] sinks)
    {
        long total = 0;
        foreach (var sink in sinks)
        {
            if (!sink.HasExited)
            {
                total += (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64();
            }
        }

        return total;
    }

    private static async Task<string?> MemberHealthAsync(SluiceProcess node, string member)
    {
        using var http = node.CreateHttpClient();
        var pools = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative))).RootElement;
        return pools.EnumerateArray().SelectMany(p => p.GetProperty("members").EnumerateArray())
            .FirstOrDefault(m => m.GetProperty("name").GetString() == member) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("health").GetString()
            : null;
    }

    private static async Task<long> QueueTotalAsync(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).RootElement.GetProperty("total").GetInt64();
    }

    private static string DebugState(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        return http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative)).GetAwaiter().GetResult() + "\n" + http.GetStringAsync(new Uri("api/v1/delivery/policy", UriKind.Relative)).GetAwaiter().GetResult() + "\n" + http.GetStringAsync(new Uri("api/v1/queue/messages?limit=3", UriKind.Relative)).GetAwaiter().GetResult();
    }

    private static Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, SluiceProcess? node = null)
        => Poll.UntilAsync(condition, timeout, what, node is null ? null : () => node.Output);
}
