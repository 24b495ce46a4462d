using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Three `sluice serve` nodes behind a front door (`sluice balance`, or a real HAProxy), twenty
/// clients sending without pause, one node killed with SIGKILL mid-run: every message that got a
/// 250 is in some node's spool, and clients that lost their connection are served by the others.
/// </summary>
public sealed partial class BalanceTests
{
    private const int Clients = 20;
    private const int Total = 3000;

    [Fact]
    public async Task Balance_NodeKilledUnderLoad_EveryAcceptedMessageIsInSomeSpoolAndClientsReconnect()
    {
        using var dir = new TempDirectory();
        var nodes = await StartNodesAsync(dir);
        try
        {
            var config = Path.Combine(dir.Path, "balance.json");
            await File.WriteAllTextAsync(config, $$"""
                {
                  "Balance": {
                    "Pools": [ {
                      "Name": "nodes", "Policy": "LeastConnections",
                      "Members": [ {{string.Join(", ", nodes.Select((n, i) => $$"""{ "Name": "n{{i}}", "Address": "{{n.SmtpEndpoint}}" }"""))}} ],
                      "HealthCheck": { "Interval": "00:00:00.500", "Timeout": "00:00:01", "UnhealthyThreshold": 2 }
                    } ]
                  }
                }
                """);
            await using var balancer = await SluiceProcess.StartBalancerAsync(dir.Path, ["--config", config]);

            var run = await RunLoadAsync(balancer.SmtpEndpoint, afterAccepted: Total / 3, async () => await nodes[1].KillAsync());

            // The killed node's spool is read back by starting it again on its data folder.
            nodes[1] = await SluiceProcess.StartAsync(nodes[1].DataDirectory, ["--config", NodeConfig(dir)]);
            var spooled = new HashSet<string>();
            foreach (var node in nodes)
            {
                spooled.UnionWith(await QueuedIdsAsync(node));
            }

            Assert.Equal(Total, run.Accepted.Count);
            Assert.DoesNotContain(run.Accepted, id => !spooled.Contains(id));
            Assert.True(run.Reconnects > 0, "some clients lost their connection to the killed node");

            using var http = balancer.CreateHttpClient();
            var pools = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative))).RootElement;
            var n1 = pools[0].GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "n1");
            Assert.Equal("Unhealthy", n1.GetProperty("health").GetString());
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
    public async Task Haproxy_NodeKilledUnderLoad_EveryAcceptedMessageIsInSomeSpoolWithTheRealClientAddress()
    {
        using var dir = new TempDirectory();
        var nodes = await StartNodesAsync(dir);
        try
        {
            using var haproxy = HaproxyServer.Start([.. nodes.Select(n => n.SmtpEndpoint)], TimeSpan.FromMilliseconds(500));

            var run = await RunLoadAsync(haproxy.Endpoint, afterAccepted: Total / 3, async () => await nodes[2].KillAsync());

            nodes[2] = await SluiceProcess.StartAsync(nodes[2].DataDirectory, ["--config", NodeConfig(dir)]);
            var spooled = new HashSet<string>();
            foreach (var node in nodes)
            {
                spooled.UnionWith(await QueuedIdsAsync(node));
            }

            Assert.Equal(Total, run.Accepted.Count);
            Assert.DoesNotContain(run.Accepted, id => !spooled.Contains(id));

            // The clients connected from 127.0.0.66; HAProxy from 127.0.0.1. The nodes saw the clients.
            using var http = nodes[0].CreateHttpClient();
            var id = run.Accepted.First(spooledId => spooledId.Length > 0 && NodeHas(nodes[0], spooledId));
            var message = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/queue/messages/{id}", UriKind.Relative))).RootElement;
            Assert.Equal("127.0.0.66", message.GetProperty("envelope").GetProperty("clientAddress").GetString());
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
    public async Task Balance_StandbyNode_TakesOverWhenTheActiveDiesAndGivesBack()
    {
        using var dir = new TempDirectory();
        var active = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "active"), ["--config", NodeConfig(dir)]);
        await using var standby = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "standby"), ["--config", NodeConfig(dir)]);
        try
        {
            var config = Path.Combine(dir.Path, "balance.json");
            await File.WriteAllTextAsync(config, BalanceConfig(("active", active.SmtpEndpoint, 1), ("standby", standby.SmtpEndpoint, 2)));
            await using var balancer = await SluiceProcess.StartBalancerAsync(dir.Path, ["--config", config]);

            Assert.True(NodeHas(active, await SendOneAsync(balancer.SmtpEndpoint)));
            var port = active.SmtpPort;
            await active.KillAsync();
            await PollAsync(async () => await HealthAsync(balancer, "active") == "Unhealthy", "active marked unhealthy");
            Assert.True(NodeHas(standby, await SendOneAsync(balancer.SmtpEndpoint)));

            await active.DisposeAsync();
            active = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "active"), ["--config", NodeConfig(dir)], smtpPort: port);
            await PollAsync(async () => await HealthAsync(balancer, "active") == "Healthy", "active healthy again");
            Assert.True(NodeHas(active, await SendOneAsync(balancer.SmtpEndpoint)));
        }
        finally
        {
            await active.DisposeAsync();
        }
    }

    [Fact]
    public async Task Balance_NodeRemovedByReload_GetsNoNewConnectionsWhileItsOpenSessionFinishes()
    {
        using var dir = new TempDirectory();
        await using var first = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "first"), ["--config", NodeConfig(dir)]);
        await using var second = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "second"), ["--config", NodeConfig(dir)]);
        var config = Path.Combine(dir.Path, "balance.json");
        await File.WriteAllTextAsync(config, BalanceConfig(("first", first.SmtpEndpoint, 1), ("second", second.SmtpEndpoint, 1)));
        await using var balancer = await SluiceProcess.StartBalancerAsync(dir.Path, ["--config", config]);
        await using var open = await SmtpDialog.ConnectAsync(balancer.SmtpEndpoint);
        await open.CommandAsync("EHLO draining.test");

        await File.WriteAllTextAsync(config, BalanceConfig(("second", second.SmtpEndpoint, 1)));
        await PollAsync(async () => await HealthAsync(balancer, "first") is null, "first removed from the pool");

        Assert.True(NodeHas(second, await SendOneAsync(balancer.SmtpEndpoint)));
        await open.BeginDataAsync("old@src.test", "rcpt@lb.example");
        var reply = await open.CommandAsync("Subject: finishing on a drained node\r\n\r\nx\r\n.");
        Assert.True(NodeHas(first, FrontDoorLoad.QueuedAs().Match(reply).Groups[1].Value), reply);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Balance_SocketThreadsSetting_ProxiesOnThatManyEventLoops(int configured)
    {
        using var dir = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "node"), ["--config", NodeConfig(dir)]);
        var config = Path.Combine(dir.Path, "balance.json");
        await File.WriteAllTextAsync(config, BalanceConfig(("node", node.SmtpEndpoint, 1)).Replace("\"Balance\": {", $"\"Balance\": {{ \"SocketThreads\": {configured},", StringComparison.Ordinal));
        await using var balancer = await SluiceProcess.StartBalancerAsync(dir.Path, ["--config", config]);

        Assert.True(NodeHas(node, await SendOneAsync(balancer.SmtpEndpoint)));

        // Each loop's thread is named "Sluice proxy N" (what Linux shows of a thread's name).
        var loops = Directory.GetDirectories($"/proc/{balancer.Pid}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith("Sluice proxy", StringComparison.Ordinal));
        Assert.Equal(Sluice.Balance.BalanceRuntime.SocketThreads(configured), loops);
    }

    private static string BalanceConfig(params (string Name, IPEndPoint Node, int Tier)[] members) => $$"""
        {
          "Balance": {
            "Pools": [ {
              "Name": "nodes", "Policy": "First",
              "Members": [ {{string.Join(", ", members.Select(m => $$"""{ "Name": "{{m.Name}}", "Address": "{{m.Node}}", "Tier": {{m.Tier}} }"""))}} ],
              "HealthCheck": { "Interval": "00:00:00.500", "Timeout": "00:00:01", "UnhealthyThreshold": 2 }
            } ]
          }
        }
        """;

    private static async Task<string> SendOneAsync(IPEndPoint frontDoor)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(frontDoor);
        await dialog.CommandAsync("EHLO one.test");
        await dialog.BeginDataAsync("one@src.test", "rcpt@lb.example");
        var reply = await dialog.CommandAsync("Subject: one\r\n\r\nx\r\n.");
        var match = FrontDoorLoad.QueuedAs().Match(reply);
        Assert.True(match.Success, reply);
        return match.Groups[1].Value;
    }

    private static async Task<string?> HealthAsync(SluiceProcess balancer, string member)
    {
        using var http = balancer.CreateHttpClient();
        var pools = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/pools", UriKind.Relative))).RootElement;
        return pools.EnumerateArray().SelectMany(p => p.GetProperty("members").EnumerateArray())
            .FirstOrDefault(m => m.GetProperty("name").GetString() == member) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("health").GetString()
            : null;
    }

    private static Task PollAsync(Func<Task<bool>> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(15), what);

    private static bool NodeHas(SluiceProcess node, string id)
    {
        using var http = node.CreateHttpClient();
        using var response = http.GetAsync(new Uri($"api/v1/queue/messages/{id}", UriKind.Relative)).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode;
    }

    private static string NodeConfig(TempDirectory dir)
    {
        var path = Path.Combine(dir.Path, "node.json");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, """
                {
                  "Smtp": {
                    "Hostname": "node.sluice.test",
                    "Listeners": [ { "Name": "behind-balancer", "ProxyProtocol": true, "ProxyTrustedNetworks": [ "127.0.0.1/32" ], "TrustedNetworks": [ "127.0.0.0/8" ] } ]
                  }
                }
                """);
        }

        return path;
    }

    private static async Task<SluiceProcess[]> StartNodesAsync(TempDirectory dir)
    {
        var nodes = new SluiceProcess[3];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = await SluiceProcess.StartAsync(Path.Combine(dir.Path, $"node{i}"), ["--config", NodeConfig(dir)]);
        }

        return nodes;
    }

    /// <summary>Twenty clients send until <see cref="Total"/> messages got a 250; the fault is injected once a share has.</summary>
    private static Task<(ConcurrentBag<string> Accepted, int Reconnects)> RunLoadAsync(IPEndPoint frontDoor, int afterAccepted, Func<Task> fault)
        => FrontDoorLoad.RunAsync(frontDoor, Total, Clients, (afterAccepted, fault));

    private static async Task<List<string>> QueuedIdsAsync(SluiceProcess node)
    {
        using var http = node.CreateHttpClient();
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/queue/messages?limit=1000{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}", UriKind.Relative))).RootElement;
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return ids;
    }
}
