using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Testing;

namespace Sluice.Postgres.Tests;

/// <summary>One PostgreSQL server for the whole test run; each test takes a database of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Creates an empty database and returns the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"t{Interlocked.Increment(ref _databases)}");
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name, Pooling = true }.ToString();
    }

    /// <summary>A fresh database with the schema in place.</summary>
    public async Task<PostgresDatabase> OpenDatabaseAsync()
        => await PostgresDatabase.OpenAsync(new PostgresOptions { ConnectionString = await CreateDatabaseAsync() }, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
}
