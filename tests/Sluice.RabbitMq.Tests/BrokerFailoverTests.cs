using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>One broker of three dies: quorum queues carry on on the other two, the node moves its connection, no sender is refused and no message is lost.</summary>
[Collection(nameof(SharedBrokerCluster))]
public sealed class BrokerFailoverTests(BrokerClusterFixture brokers) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<RabbitMqQueue> _queues = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        _dir.Dispose();
    }

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

            using var content = new MessageBuffer(_dir.Path);
            content.Write(System.Text.Encoding.ASCII.GetBytes($"Subject: {i}\r\n\r\nbody {i}\r\n"));
            results.Add(await producer.EnqueueAsync(new Envelope("a@src.example", [new EnvelopeRecipient("b@dest.example")]), new MessageId($"f{i:000}"), DateTimeOffset.UtcNow, content, CancellationToken.None));
        }

        Assert.All(results, r => Assert.Equal(EnqueueResult.Stored, r));
        Assert.NotEqual(victim.Port, producer.ConnectedPort);

        // The producer consumes too (every node does): what it took goes back to the brokers as it stops.
        _queues.Remove(producer);
        await producer.DisposeAsync();
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

    private RabbitMqQueue Start()
    {
        var queue = RabbitMqQueue.Start(new RabbitMqOptions { Uris = [.. brokers.Cluster.Uris], Shards = 2 }, TimeProvider.System, NullLogger.Instance);
        _queues.Add(queue);
        return queue;
    }
}
