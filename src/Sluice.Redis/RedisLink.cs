using Microsoft.Extensions.Logging;
using Sluice.Core.Threading;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// This node's connection to the cluster's Redis, and whether the cluster's limits can be trusted
/// to it now. The node starts and keeps running without Redis (the connection is retried in the
/// background; a command fails at once while it is away). After Redis comes back — perhaps
/// restarted, empty — the limits are shared again only once every node has had a renewal round
/// to put back the leases it holds; until then each node keeps to its share. Nodes come back at
/// different moments (each client retries on its own clock), so that moment is not this node's
/// return plus a grace: it is when Redis's node set, begun anew by a restart, is a lease's life
/// old — by then every node still alive has beaten, and put its leases back, in it.
/// </summary>
public sealed class RedisLink : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _grace;
    private long _sharedFromTicks;
    private long _settledAtTicks;
    private int _down;
    private int _awaitingBeat;

    private RedisLink(ConnectionMultiplexer connection, RedisOptions options, string node, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _time = time;
        _logger = logger;
        Node = node;
        Options = options;
        Prefix = options.KeyPrefix;
        _grace = options.RenewInterval + TimeSpan.FromSeconds(1);
        Database = connection.GetDatabase();
        _sharedFromTicks = time.GetUtcNow().UtcTicks;
        _down = connection.IsConnected ? 0 : 1;
        // The interactive connection carries every command; the subscription connection comes and goes on its own.
        connection.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Lost(e.Exception);
            }
        };
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Back();
            }
        };
    }

    /// <summary>Raised when the connection is back: leases held are put back at once.</summary>
    public event Action? Restored;

    public string Node { get; }

    public TimeProvider Time => _time;

    public ILogger Logger => _logger;

    public RedisOptions Options { get; }

    public string Prefix { get; }

    public IDatabase Database { get; }

    /// <summary>Publish and subscribe (the cache's invalidations).</summary>
    public ISubscriber Subscriber => _connection.GetSubscriber();

    /// <summary>Redis answers (or is believed to).</summary>
    public bool Reachable => _connection.IsConnected;

    /// <summary>
    /// Redis answers, a beat since it came back has said how old its node set is, and every node
    /// has had time to put its leases back: limits are the cluster's.
    /// </summary>
    public bool Shared
    {
        get
        {
            if (!Reachable)
            {
                // Seen here before the client's event said so: the outage starts now, settling included.
                Lost(null);
                return false;
            }

            return Volatile.Read(ref _awaitingBeat) == 0 && _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _sharedFromTicks);
        }
    }

    /// <summary>
    /// Redis was lost a moment ago: each node is giving back what it holds beyond its share (as its
    /// connections finish their message), so none takes a new lease on its share until a grace period has passed.
    /// </summary>
    public bool Settling => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _settledAtTicks);

    /// <summary>Connects in the background: a node whose Redis is away starts anyway, on its share of each limit.</summary>
    public static RedisLink Connect(RedisOptions options, string node, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.Configuration!);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName = node;
        var timeout = (int)options.CommandTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ConnectTimeout = Math.Max(timeout, 2000);
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        var link = new RedisLink(ConnectionMultiplexer.Connect(configuration), options, node, time, logger);
        var endpoints = string.Join(", ", configuration.EndPoints);
        if (link.Reachable)
        {
            RedisLog.Connected(logger, endpoints);
        }
        else
        {
            RedisLog.Unreachable(logger, endpoints);
        }

        return link;
    }

    public RedisKey Key(string name) => string.Concat(Prefix, name);

    /// <summary>
    /// This node beat; Redis's node set was begun <paramref name="setAge"/> ago. The first beat
    /// since Redis came back: a set younger than a lease's life (Redis restarted, empty) may still
    /// miss a node that has not reconnected yet and holds connections on its share, uncounted in
    /// Redis, so the limits stay on this node's share until the set is that old, whatever this
    /// node's own grace says. (A node that starts on a young set holds nothing yet: no wait.)
    /// </summary>
    public void Beaten(TimeSpan setAge)
    {
        if (Volatile.Read(ref _awaitingBeat) == 0)
        {
            return;
        }

        // The later start is in place before the flag clears: Shared never sees the one without the other.
        if (setAge < Options.LeaseTtl)
        {
            AtomicBound.RaiseTo(ref _sharedFromTicks, (_time.GetUtcNow() + (Options.LeaseTtl - setAge)).UtcTicks);
        }

        Interlocked.CompareExchange(ref _awaitingBeat, 0, 1);
    }

    /// <summary>A command failed: Redis is taken for away until it has answered for a grace period again (logged once per outage).</summary>
    public void Lost(Exception? cause)
    {
        var graceEnds = (_time.GetUtcNow() + _grace).UtcTicks;
        Interlocked.Exchange(ref _sharedFromTicks, graceEnds);
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            Interlocked.Exchange(ref _settledAtTicks, graceEnds);
            RedisLog.Lost(_logger, cause?.Message ?? "connection lost");
        }
    }

    private void Back()
    {
        // Not shared before a beat has said how old the node set is (perhaps begun just now, by a restart).
        Volatile.Write(ref _awaitingBeat, 1);
        Interlocked.Exchange(ref _sharedFromTicks, (_time.GetUtcNow() + _grace).UtcTicks);
        if (Interlocked.Exchange(ref _down, 0) == 1)
        {
            RedisLog.Back(_logger);
        }

        Restored?.Invoke();
    }

    /// <summary>Whether <paramref name="ex"/> says Redis is away (not a bug): the caller falls back to its share.</summary>
    public static bool IsAway(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);
}
