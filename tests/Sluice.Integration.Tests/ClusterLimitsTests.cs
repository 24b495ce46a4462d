using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Limits kept for the whole cluster on a real Redis (issue 14): three nodes, each with its own
/// spool, relay to one `sluice sink` whose connection count is the provider's limit. Each node's
/// shaping would open three connections at once; together they open no more than three, also
/// while Redis is away (each keeps to its share: 3 ÷ 3 nodes) and after it comes back empty.
/// </summary>
public sealed class ClusterLimitsTests
{
    private const int Limit = 3;

    [Fact]
    public async Task SharedLimit_ThreeNodesOneSink_NeverMoreConnectionsThanTheLimitAlsoWhileRedisIsAway()
    {
        using var dir = new TempDirectory();
        using var redis = await RedisServer.StartAsync();
        await using var sink = await SluiceProcess.StartSinkAsync(Path.Combine(dir.Path, "sink"), ["--latency", "20"]);
        var config = Path.Combine(dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "Routes": [ { "Domain": "*", "Relay": "{{sink.SmtpEndpoint}}" } ],
                "PollInterval": "00:00:00.200",
                "Shaping": { "Default": { "MaxConnections": {{Limit}}, "InitialConnections": {{Limit}}, "MaxMessagesPerConnection": 10 } }
              },
              "Cluster": { "Redis": { "Configuration": "{{redis.Configuration}}", "LeaseTtl": "00:00:03" } }
            }
            """);
        var nodes = new List<SluiceProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await SluiceProcess.StartAsync(Path.Combine(dir.Path, $"node{i}"), ["--config", config], delivery: true));
            }

            await Poll.UntilAsync(async () => (await LimitsAsync(nodes[0])).GetProperty("liveNodes").GetInt32() == 3, TimeSpan.FromSeconds(20), "three live nodes counted");
            await Task.WhenAll(nodes.Select(n => SinkLoad.SendAsync(n, "shared.example", sessions: 4, messages: 40)));
            await SinkLoad.WaitAcceptedAsync(sink, 120);
            var shared = await SinkLoad.MaxConnectionsAsync(sink);

            redis.Stop();
            await Poll.UntilAsync(async () => !(await LimitsAsync(nodes[0])).GetProperty("reachable").GetBoolean(), TimeSpan.FromSeconds(20), "node 0 to see Redis gone");
            await Task.WhenAll(nodes.Select(n => SinkLoad.SendAsync(n, "away.example", sessions: 4, messages: 40)));
            await SinkLoad.WaitAcceptedAsync(sink, 240);
            var away = await SinkLoad.MaxConnectionsAsync(sink);

            await redis.StartAgainAsync();
            await Poll.UntilAsync(
                async () =>
                {
                    foreach (var node in nodes)
                    {
                        if (!(await LimitsAsync(node)).GetProperty("shared").GetBoolean())
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(30),
                "every node sharing the limits again");
            await Task.WhenAll(nodes.Select(n => SinkLoad.SendAsync(n, "back.example", sessions: 4, messages: 40)));
            await SinkLoad.WaitAcceptedAsync(sink, 360);

            Assert.InRange(shared, 2, Limit);
            Assert.InRange(away, 2, Limit);
            Assert.InRange(await SinkLoad.MaxConnectionsAsync(sink), 2, Limit);
            Assert.Contains(nodes, n => n.Output.Contains("each limit falls back to this node's share", StringComparison.Ordinal));

            // Every node came back within a lease's life of the restart: none found its place taken.
            foreach (var node in nodes)
            {
                Assert.Equal(0, (await LimitsAsync(node)).GetProperty("leasesRevoked").GetInt32());
            }

            await Poll.ForAsync(
                async () =>
                {
                    var leaders = 0;
                    foreach (var node in nodes)
                    {
                        leaders += (await LimitsAsync(node)).GetProperty("leader").GetBoolean() ? 1 : 0;
                    }

                    return leaders;
                },
                leaders => leaders == 1,
                TimeSpan.FromSeconds(20),
                "exactly one node holding the leader lease");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Serve_RedisAwayAtStart_NodeStartsOnItsShareAndTakesMail()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["SLUICE__Cluster__Redis__Configuration"] = $"127.0.0.1:{FreePort.Next()}" };
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "node"), environment: environment);

        var limits = await LimitsAsync(node);
        Assert.False(limits.GetProperty("reachable").GetBoolean());
        Assert.False(limits.GetProperty("shared").GetBoolean());
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(node.SmtpEndpoint, "a@src.example", "b@dest.example"), StringComparison.Ordinal);
        Assert.Contains("does not answer: each limit falls back to this node's share", node.Output, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> LimitsAsync(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        return (await http.GetFromJsonAsync<JsonElement>("api/v1/cluster")).GetProperty("limits");
    }
}
