using System.Globalization;
using System.Security.Cryptography;

namespace Sluice.Testing;

/// <summary>
/// Three real RabbitMQ brokers forming one cluster on 127.0.0.1 (../shared/FIXTURES.md: classic
/// peer discovery, one Erlang cookie, one epmd port of its own), so that quorum queues replicate
/// over three and a broker can die. Start one per test run: forming takes about 20 s.
/// </summary>
public sealed class RabbitMqCluster : IDisposable
{
    private readonly int _epmd;

    private RabbitMqCluster(IReadOnlyList<RabbitMqServer> brokers, int epmd)
    {
        Brokers = brokers;
        _epmd = epmd;
    }

    public IReadOnlyList<RabbitMqServer> Brokers { get; }

    /// <summary>One AMQP URI per broker.</summary>
    public IReadOnlyList<string> Uris => [.. Brokers.Select(b => b.AmqpUri.ToString())];

    public static async Task<RabbitMqCluster> StartAsync(int size = 3)
    {
        var epmd = FreePort.Next();
        var ports = Enumerable.Range(0, size).Select(_ => FreePort.Next()).ToArray();
        var names = ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"c{p}@localhost")).ToArray();
        var config = "loopback_users = none\ncluster_formation.peer_discovery_backend = classic_config\n"
            + string.Concat(names.Select((n, i) => string.Create(CultureInfo.InvariantCulture, $"cluster_formation.classic_config.nodes.{i + 1} = {n}\n")));
        var cookie = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var started = new List<RabbitMqServer>();
        try
        {
            // All at once: each waits for its peers while the cluster forms.
            started.AddRange(await Task.WhenAll(ports.Select((p, i) => RabbitMqServer.LaunchAsync(names[i], p, epmd, config, cookie, ownsEpmd: false))).ConfigureAwait(false));
            var cluster = new RabbitMqCluster(started, epmd);
            await Poll.UntilAsync(
                () => Task.FromResult(started[0].Control("await_online_nodes", size.ToString(CultureInfo.InvariantCulture), "--timeout", "5000").Code == 0),
                TimeSpan.FromSeconds(90),
                "three brokers in one cluster",
                () => started[0].Control("cluster_status").Output).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            foreach (var broker in started)
            {
                broker.Dispose();
            }

            RabbitMqServer.StopEpmd(epmd);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var broker in Brokers)
        {
            broker.Dispose();
        }

        RabbitMqServer.StopEpmd(_epmd);
    }
}
