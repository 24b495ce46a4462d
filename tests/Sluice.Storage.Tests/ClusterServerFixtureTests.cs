using Npgsql;
using Sluice.Testing;
using StackExchange.Redis;

namespace Sluice.Storage.Tests;

/// <summary>The real servers the cluster's stores will run against start, answer and stop: PostgreSQL 15 and Redis from Debian's packages.</summary>
public sealed class ClusterServerFixtureTests
{
    [Fact]
    public async Task PostgresServer_Started_AnswersQueriesAsItsSuperuser()
    {
        using var server = await PostgresServer.StartAsync();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user || ' ' || version()", connection);

        var answer = (string)(await command.ExecuteScalarAsync())!;

        Assert.StartsWith("sluice PostgreSQL 15", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisServer_Started_SetsAndGets()
    {
        using var server = await RedisServer.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var db = redis.GetDatabase();

        Assert.True(await db.StringSetAsync("sluice:test", "ok"));
        Assert.Equal("ok", (string?)await db.StringGetAsync("sluice:test"));
    }
}
