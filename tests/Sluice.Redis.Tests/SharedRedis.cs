namespace Sluice.Redis.Tests;

/// <summary>Every test class that only needs keys shares one Redis (a key prefix each).</summary>
[CollectionDefinition(nameof(SharedRedis))]
public sealed class SharedRedis : ICollectionFixture<RedisFixture>;
