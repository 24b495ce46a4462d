using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Testing;

namespace Sluice.Postgres.Tests;

/// <summary>The shared schema is brought to this node's version at start, once, however many nodes start together.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class MigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task OpenAsync_ThreeNodesAtOnce_MigrateOnceAndAgreeOnTheVersion()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var options = new PostgresOptions { ConnectionString = connectionString };

        var opened = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None)));
        await using var again = await PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None);

        Assert.All(opened, d => Assert.Equal(SchemaMigrations.Latest, d.SchemaVersion));
        await using var connection = new NpgsqlConnection(connectionString);
        var versions = (await connection.QueryAsync<int>("SELECT version FROM sluice_schema ORDER BY version")).ToList();
        Assert.Equal(SchemaMigrations.All.Select(m => m.Version), versions);
        foreach (var database in opened)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenAsync_SchemaNewerThanTheNode_RefusesWithOneLine()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var options = new PostgresOptions { ConnectionString = connectionString };
        await (await PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None)).DisposeAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.ExecuteAsync("INSERT INTO sluice_schema (version, name) VALUES (@v, 'from a newer node')", new { v = SchemaMigrations.Latest + 1 });
        }

        var refused = await Assert.ThrowsAsync<PostgresStartException>(() => PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None));

        Assert.Contains($"schema is at version {SchemaMigrations.Latest + 1}, newer than this node's {SchemaMigrations.Latest}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public async Task OpenAsync_NothingListening_GivesUpAfterTheStartTimeout()
    {
        var options = new PostgresOptions { ConnectionString = $"Host=127.0.0.1;Port={FreePort.Next()};Username=sluice;Timeout=1", StartTimeout = TimeSpan.FromSeconds(1) };

        var refused = await Assert.ThrowsAsync<PostgresStartException>(() => PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None));

        Assert.StartsWith("Cluster:Postgres: cannot reach the database within 1 s", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_UnknownDatabase_SaysTheServerRefused()
    {
        var options = new PostgresOptions { ConnectionString = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { Database = "no_such_db" }.ToString() };

        var refused = await Assert.ThrowsAsync<PostgresStartException>(() => PostgresDatabase.OpenAsync(options, TimeProvider.System, NullLogger.Instance, CancellationToken.None));

        Assert.Contains("refused this node", refused.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_db", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Nonsense=1", "Cluster:Postgres:ConnectionString: not a PostgreSQL connection string")]
    [InlineData("Username=sluice", "Cluster:Postgres:ConnectionString: no Host given")]
    public void Validate_BadConnectionString_NamesTheKey(string connectionString, string expected)
    {
        var errors = PostgresOptionsValidator.Validate(new PostgresOptions { ConnectionString = connectionString });

        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }
}
