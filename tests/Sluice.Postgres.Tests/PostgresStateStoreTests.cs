using Sluice.Core.State;
using Sluice.Testing.Contracts;

namespace Sluice.Postgres.Tests;

/// <summary>The state store contract on a cluster's PostgreSQL.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class PostgresStateStoreTests(PostgresFixture postgres) : StateStoreContract, IAsyncLifetime
{
    private readonly List<PostgresDatabase> _opened = [];

    protected override async Task<SqlStateStore> OpenAsync()
    {
        var database = await postgres.OpenDatabaseAsync();
        _opened.Add(database);
        return database.CreateStateStore();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }
    }
}
