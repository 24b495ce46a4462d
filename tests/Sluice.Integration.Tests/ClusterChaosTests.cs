using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The cluster under faults (ADR 0033, 0034): three nodes on three brokers, one PostgreSQL and one
/// Redis behind `sluice balance`, twenty clients sending without pause; a node is killed with
/// SIGKILL at a fifth of the way, Redis restarted (empty) at two fifths, a broker killed at three
/// fifths, PostgreSQL restarted at four fifths. Every message that got a 250 reaches the sink;
/// duplicates are counted and stay within the at-least-once window (what the killed node had in
/// hand, unacknowledged); the provider's limit of three connections, set once for the cluster,
/// is never exceeded at the sink.
/// </summary>
public sealed partial class ClusterChaosTests : IAsyncLifetime
{
    private const int Total = 600;
    private const int Clients = 20;
    private const int ProviderLimit = 3;
    private readonly TempDirectory _dir = new();
    private readonly List<SluiceProcess> _processes = [];
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private RabbitMqCluster? _brokers;
    private PostgresServer? _postgres;
    private RedisServer? _redis;

    public ClusterChaosTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _brokers?.Dispose();
        _postgres?.Dispose();
        _redis?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Cluster_NodeBrokerKilledRedisPostgresRestartedUnderLoad_EveryAcceptedMessageDeliveredWithinTheProviderLimit()
    {
        var brokers = RabbitMqCluster.StartAsync();
        var postgres = PostgresServer.StartAsync();
        var redis = RedisServer.StartAsync();
        _brokers = await brokers;
        _postgres = await postgres;
        _redis = await redis;
        var sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"), ["--latency", "5"]);
        _processes.Add(sink);
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Smtp": { "Hostname": "node.sluice.test",
                "Listeners": [ { "Name": "behind-balancer", "ProxyProtocol": true, "ProxyTrustedNetworks": [ "127.0.0.1/32" ], "TrustedNetworks": [ "127.0.0.0/8" ] } ] },
              "Delivery": { "Shaping": { "Default": { "MaxConnections": {{ProviderLimit}}, "InitialConnections": {{ProviderLimit}}, "MaxMessagesPerConnection": 25 } } } }
            """);
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Cluster__Postgres__ConnectionString"] = _postgres.ConnectionString,
            ["SLUICE__Cluster__Redis__Configuration"] = _redis.Configuration,
            // The default lease life (15 s). The limit holds through a Redis restart if every node is
            // back within a lease's life and connections above a node's share finish their message
            // within the grace (a third of it + 1 s). With 3 s leases that grace was 2 s, and CI saw a
            // node whose broker was failing over at the same moment take 4.6 s: four connections.
            ["SLUICE__Logging__LogLevel__Sluice.Redis"] = "Debug",
        };
        for (var i = 0; i < _brokers.Uris.Count; i++)
        {
            environment[$"SLUICE__Cluster__RabbitMq__Uris__{i}"] = _brokers.Uris[i];
        }

        var nodes = new List<SluiceProcess>();
        for (var i = 0; i < 3; i++)
        {
            var node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, $"node{i}"), ["--config", config, "--relay-host", sink.SmtpEndpoint.ToString()], environment, delivery: true);
            nodes.Add(node);
            _processes.Add(node);
        }

        var balanceConfig = Path.Combine(_dir.Path, "balance.json");
        await File.WriteAllTextAsync(balanceConfig, $$"""
            { "Balance": { "Pools": [ { "Name": "nodes", "Policy": "LeastConnections",
                "Members": [ {{string.Join(", ", nodes.Select((n, i) => $$"""{ "Name": "n{{i}}", "Address": "{{n.SmtpEndpoint}}" }"""))}} ],
                "HealthCheck": { "Interval": "00:00:00.500", "Timeout": "00:00:01", "UnhealthyThreshold": 2 } } ] } }
            """);
        var balancer = await SluiceProcess.StartBalancerAsync(_dir.Path, ["--config", balanceConfig]);
        _processes.Add(balancer);

        var run = await FrontDoorLoad.RunAsync(
            balancer.SmtpEndpoint,
            Total,
            Clients,
            (Total / 5, () => Fault("node 1 killed", () => nodes[1].KillAsync())),
            (2 * Total / 5, () => Fault("Redis restarted", () => _redis.StartAgainAsync())),
            (3 * Total / 5, () => Fault("broker 0 killed", () =>
            {
                _brokers.Brokers[0].Kill();
                return Task.CompletedTask;
            })),
            (4 * Total / 5, () => Fault("PostgreSQL restarted", () => _postgres.RestartAsync())));
        Assert.Equal(Total, run.Accepted.Count);

        // Every accepted message reaches the sink (by the id its node gave it, in the node's Received line).
        var accepted = run.Accepted.ToHashSet(StringComparer.Ordinal);
        Dictionary<string, int> delivered = [];
        await Poll.UntilAsync(
            () =>
            {
                delivered = DeliveredIds(Path.Combine(_dir.Path, "sink", "new"));
                return Task.FromResult(accepted.All(delivered.ContainsKey));
            },
            TimeSpan.FromSeconds(180),
            "every accepted message at the sink",
            () => $"{accepted.Count(delivered.ContainsKey)} of {accepted.Count} delivered");

        var duplicates = delivered.Values.Sum(n => n - 1);
        var connections = await SinkLoad.MaxConnectionsAsync(sink);
        _output.WriteLine($"accepted {accepted.Count}, delivered {delivered.Count} distinct, {duplicates} duplicates, {run.Reconnects} client reconnects, at most {connections} connections at the sink");
        if (connections > ProviderLimit)
        {
            // What the sink saw and what each node's limits did (Sluice.Redis logs at Debug here), for the failure's report.
            _output.WriteLine(await File.ReadAllTextAsync(Path.Combine(_dir.Path, "sink", "connections.jsonl")));
            _output.WriteLine(sink.Output);
            foreach (var node in nodes)
            {
                _output.WriteLine(string.Join('\n', node.Output.Split('\n').Where(l => l.Contains("Sluice.Redis", StringComparison.Ordinal))));
            }
        }

        Assert.InRange(connections, 1, ProviderLimit);

        // After the restart the shared state works again: a suppression made on one node is followed by every node behind the balancer.
        using var http = nodes[0].CreateHttpClient();
        await Poll.UntilAsync(
            async () =>
            {
                using var added = await http.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "gone@lb.example", reason = "bounce" });
                return added.IsSuccessStatusCode;
            },
            TimeSpan.FromSeconds(30),
            "a suppression written after PostgreSQL's restart");
        // Each node picks the suppression up on its own refresh: the balancer's first 550 may come from
        // one node while another has not yet; followed means six refusals in a row, whichever node answers.
        await Poll.UntilAsync(
            async () =>
            {
                for (var i = 0; i < 6; i++)
                {
                    if (!(await SmtpDialog.RcptReplyAsync(balancer.SmtpEndpoint, "load@src.test", "gone@lb.example")).StartsWith("550", StringComparison.Ordinal))
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(30),
            "the suppression followed by every node");
        Assert.True(duplicates <= Total / 10, $"{duplicates} duplicates: more than the killed node can have had in hand unsettled");
        Assert.True(run.Reconnects > 0, "some clients lost their connection to the killed node");
    }

    /// <summary>Injects a fault and says when (the sink's connection log has the same clock).</summary>
    private async Task Fault(string what, Func<Task> fault)
    {
        _output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}");
        await fault();
        _output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}: done");
    }

    /// <summary>Each node-given message id found at the sink, with how many times it arrived.</summary>
    private static Dictionary<string, int> DeliveredIds(string folder)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return counts;
        }

        foreach (var file in Directory.GetFiles(folder))
        {
            foreach (Match match in NodeId().Matches(File.ReadAllText(file)))
            {
                counts[match.Groups[1].Value] = counts.GetValueOrDefault(match.Groups[1].Value) + 1;
            }
        }

        return counts;
    }

    // The node's trace header; the sink's own says "by sink.sluice.test".
    [GeneratedRegex(@"by node\.sluice\.test \(Sluice\) with \w+ id ([0-9A-Z]{26})")]
    private static partial Regex NodeId();
}
