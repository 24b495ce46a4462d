namespace Sluice.Postgres.Tests;

/// <summary>Every test class that needs PostgreSQL shares one server (a database each).</summary>
[CollectionDefinition(nameof(SharedPostgres))]
public sealed class SharedPostgres : ICollectionFixture<PostgresFixture>;
