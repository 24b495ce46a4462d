using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>One three-broker cluster for the whole test run (forming it takes about 20 s).</summary>
public sealed class BrokerClusterFixture : IAsyncLifetime
{
    private RabbitMqCluster? _cluster;

    public RabbitMqCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _cluster = await RabbitMqCluster.StartAsync();

    public Task DisposeAsync()
    {
        _cluster?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Test classes that need three brokers share one cluster.</summary>
[CollectionDefinition(nameof(SharedBrokerCluster))]
public sealed class SharedBrokerCluster : ICollectionFixture<BrokerClusterFixture>;
