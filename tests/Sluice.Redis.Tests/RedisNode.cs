using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Redis.Tests;

/// <summary>What one cluster node runs against Redis, built the way the node builds it.</summary>
internal sealed class RedisNode : IAsyncDisposable
{
    private RedisNode(RedisLink link)
    {
        Link = link;
        Limits = new RedisLimits(link);
        Leader = new RedisLeader(link, NullLogger.Instance);
        Heartbeat = new RedisHeartbeat(link, Limits, Leader, NullLogger<RedisHeartbeat>.Instance);
        Rates = new RedisRates(link);
    }

    public RedisLink Link { get; }

    public RedisLimits Limits { get; }

    public RedisLeader Leader { get; }

    public RedisHeartbeat Heartbeat { get; }

    public RedisRates Rates { get; }

    public static RedisNode Start(RedisOptions options, string name, TimeProvider? time = null)
        => new(RedisLink.Connect(options, name, time ?? TimeProvider.System, NullLogger.Instance));

    public async ValueTask DisposeAsync()
    {
        Heartbeat.Dispose();
        await Link.DisposeAsync();
    }
}
