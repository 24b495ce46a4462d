using Sluice.Testing;

namespace Sluice.Redis.Tests;

/// <summary>One Redis for the test classes that only read and write keys; each test uses a key prefix of its own.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private int _prefixes;

    public RedisServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Options for a test of its own: keys under a fresh prefix.</summary>
    public RedisOptions Options(TimeSpan? leaseTtl = null) => new()
    {
        Configuration = Server.Configuration,
        KeyPrefix = $"t{Interlocked.Increment(ref _prefixes)}:",
        LeaseTtl = leaseTtl ?? TimeSpan.FromSeconds(15),
    };
}
