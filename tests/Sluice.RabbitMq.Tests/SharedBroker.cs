namespace Sluice.RabbitMq.Tests;

/// <summary>Every test class that needs a broker shares one (a virtual host each).</summary>
[CollectionDefinition(nameof(SharedBroker))]
public sealed class SharedBroker : ICollectionFixture<BrokerFixture>;
