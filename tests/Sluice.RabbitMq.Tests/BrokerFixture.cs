using RabbitMQ.Client;
using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>One RabbitMQ broker for the whole test run; each test starts from no Sluice queues at all.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private RabbitMqServer? _server;

    public RabbitMqServer Server => _server ?? throw new InvalidOperationException("not started");

    public string Uri => Server.AmqpUri.ToString();

    public async Task InitializeAsync() => _server = await RabbitMqServer.StartAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Deletes every queue of the cluster queue's topology (and the named hold queues), messages and all.</summary>
    public async Task ResetAsync(params string[] holdKeys)
    {
        var factory = new ConnectionFactory { Uri = Server.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var names = new List<string> { QueueNames.Due, QueueNames.Dead };
        names.AddRange(Enumerable.Range(0, 8).Select(QueueNames.Shard));
        names.AddRange(QueueNames.RetryTierSeconds.Select(QueueNames.RetryTier));
        names.AddRange(holdKeys.Select(QueueNames.Hold));
        foreach (var name in names)
        {
            await channel.QueueDeleteAsync(name);
        }
    }
}
