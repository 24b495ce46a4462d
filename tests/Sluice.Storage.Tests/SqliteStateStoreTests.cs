using Sluice.Core.State;
using Sluice.Storage.State;
using Sluice.Testing;
using Sluice.Testing.Contracts;

namespace Sluice.Storage.Tests;

/// <summary>The state store contract on the embedded state.db.</summary>
public sealed class SqliteStateStoreTests : StateStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<SqlStateStore> OpenAsync() => Task.FromResult(SqliteStateDatabase.Open(_dir.Path));

    [Fact]
    public async Task Open_StateDbFromBeforePerKeyValidation_AddsTheColumnAndKeepsTheKeys()
    {
        var path = System.IO.Path.Combine(_dir.Path, "state.db");
        await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes INTEGER NOT NULL, secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER NULL, requests_per_second INTEGER NULL); INSERT INTO api_keys VALUES ('old', 'legacy', 1, 'h', 0, NULL, NULL)";
            await create.ExecuteNonQueryAsync();
        }

        var store = SqliteStateDatabase.Open(_dir.Path);
        var found = await store.FindAsync("old", CancellationToken.None);

        Assert.Equal("legacy", found!.Value.Key.Name);
        Assert.False(found.Value.Key.StrictValidation);
    }
}
