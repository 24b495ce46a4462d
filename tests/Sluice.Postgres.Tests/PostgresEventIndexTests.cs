using Sluice.Core.Events;
using Sluice.Testing.Contracts;

namespace Sluice.Postgres.Tests;

/// <summary>The message index contract on a cluster's PostgreSQL.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class PostgresEventIndexTests(PostgresFixture postgres) : EventIndexContract
{
    private readonly List<PostgresDatabase> _databases = [];
    private string? _connectionString;

    protected override async Task<EventIndexDatabase> CreateDatabaseAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync();
        return await ReopenDatabaseAsync();
    }

    protected override async Task<EventIndexDatabase> ReopenDatabaseAsync()
    {
        var database = await PostgresDatabase.OpenAsync(new PostgresOptions { ConnectionString = _connectionString }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        _databases.Add(database);
        return new PostgresEventDatabase(database);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
