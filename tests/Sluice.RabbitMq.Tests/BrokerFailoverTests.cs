using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>One broker of three dies: quorum queues carry on on the other two, the node moves its connection, no sender is refused and no message is lost.</summary>
[Collection(nameof(SharedBrokerCluster))]
public sealed class BrokerFailoverTests(BrokerClusterFixture brokers) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly QueueHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Enqueue_TheConnectedBrokerKilledMidway_EveryMessageStoredAndEveryOneDelivered()
    {
        var producer = Start();
        await producer.Connected.WaitAsync(Deadline);
        var victim = brokers.Cluster.Brokers.Single(b => b.Port == producer.ConnectedPort);
        var results = new List<EnqueueResult>();
        for (var i = 0; i < 300; i++)
        {
            if (i == 100)
            {
                victim.Kill();
            }

            results.Add(await _harness.EnqueueAsync(producer, new MessageId($"f{i:000}"), System.Text.Encoding.ASCII.GetBytes($"Subject: {i}\r\n\r\nbody {i}\r\n"), "b@dest.example"));
        }

        Assert.All(results, r => Assert.Equal(EnqueueResult.Stored, r));
        Assert.NotEqual(victim.Port, producer.ConnectedPort);

        // The producer consumes too (every node does): what it took goes back to the brokers as it stops.
        await _harness.StopAsync(producer);
        var consumer = Start();
        var seen = new HashSet<MessageId>();
        await Poll.UntilAsync(
            async () =>
            {
                await consumer.WaitForWorkAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
                foreach (var entry in await consumer.LeaseAsync(100, CancellationToken.None))
                {
                    seen.Add(entry.Id);
                    await consumer.AckAsync(entry.Id, CancellationToken.None);
                }

                return seen.Count == 300;
            },
            Deadline,
            "all 300 delivered after the broker's death",
            () => $"{seen.Count} seen");
    }

    private RabbitMqQueue Start() => _harness.Start(new RabbitMqOptions { Uris = [.. brokers.Cluster.Uris], Shards = 2 });
}
