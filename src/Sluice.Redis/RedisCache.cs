using System.Globalization;
using Sluice.Core.Cluster;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// The cluster's second-level cache in Redis (<see cref="ISharedCache"/>). Each scope has a
/// generation (<c>cache:gen:KIND:SCOPE</c>, 0 when absent); an entry lives at
/// <c>cache:KIND:SCOPE#GEN:NAME</c> with its own expiry, read together with the generation in one
/// script. An invalidation increments the generation — every entry of the scope is then out of
/// sight, including one a slow reader puts back later under the old generation — and is published
/// on <c>cache:invalidated</c>, which every node follows to drop its first-level copy. A generation
/// outlives every entry (a day against at most an hour), so it never falls back to a number whose
/// entries still exist. Redis away: every read is a miss, every write dropped; nothing waits or throws.
/// </summary>
public sealed class RedisCache : ISharedCache
{
    /// <summary>No entry may be kept longer (the generation's own life is a day).</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);

    private const string Read = """
        local g = redis.call('GET', KEYS[1]) or '0'
        return { g, redis.call('GET', ARGV[1] .. g .. ARGV[2]) }
        """;

    private const string Drop = """
        local g = redis.call('INCR', KEYS[1])
        redis.call('PEXPIRE', KEYS[1], 86400000)
        return g
        """;

    private readonly RedisLink _link;
    private readonly RedisChannel _channel;

    // 0 not subscribed, 2 subscribing, 1 subscribed (the client then restores it after every reconnect).
    private int _subscription;

    public RedisCache(RedisLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        _link = link;
        _channel = RedisChannel.Literal(link.Prefix + "cache:invalidated");

        // A node may start while Redis is away: the subscription is made once Redis answers.
        link.Restored += () => _ = SubscribeAsync();
        _ = SubscribeAsync();
    }

    public event Action<SharedCacheKind, string>? Invalidated;

    public async ValueTask<SharedCacheEntry> GetAsync(SharedCacheKey key)
    {
        if (!_link.Reachable)
        {
            return default;
        }

        if (Volatile.Read(ref _subscription) == 0)
        {
            await SubscribeAsync().ConfigureAwait(false);
        }

        try
        {
            var found = (RedisResult[])(await _link.Database.ScriptEvaluateAsync(Read, [GenerationKey(key.Kind, key.Scope)], [EntryPrefix(key), string.Concat(":", key.Name)]).ConfigureAwait(false))!;
            return new SharedCacheEntry(long.Parse((string)found[0]!, CultureInfo.InvariantCulture), (byte[]?)found[1]);
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            _link.Lost(ex);
            return default;
        }
    }

    public void Put(SharedCacheKey key, long generation, byte[] value, TimeSpan ttl)
    {
        if (!_link.Reachable || ttl <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            _link.Database.StringSet(
                string.Concat(EntryPrefix(key), generation.ToString(CultureInfo.InvariantCulture), ":", key.Name),
                value,
                ttl < MaxTtl ? ttl : MaxTtl,
                flags: CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            _link.Lost(ex);
        }
    }

    public async Task InvalidateAsync(SharedCacheKind kind, string scope)
    {
        try
        {
            if (_link.Reachable)
            {
                await _link.Database.ScriptEvaluateAsync(Drop, [GenerationKey(kind, scope)]).ConfigureAwait(false);
                await _link.Subscriber.PublishAsync(_channel, string.Concat(kind.ToString(), ":", scope)).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            _link.Lost(ex);
        }

        // Nobody can read the shared copies now; this node's own still go.
        Invalidated?.Invoke(kind, scope);
    }

    private async Task SubscribeAsync()
    {
        if (!_link.Reachable || Interlocked.CompareExchange(ref _subscription, 2, 0) != 0)
        {
            return;
        }

        try
        {
            await _link.Subscriber.SubscribeAsync(_channel, (_, message) => Heard(message)).ConfigureAwait(false);
            Volatile.Write(ref _subscription, 1);
        }
        catch (Exception ex) when (RedisLink.IsAway(ex))
        {
            Volatile.Write(ref _subscription, 0);
        }
    }

    private void Heard(RedisValue message)
    {
        var text = (string?)message;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon > 0 && Enum.TryParse<SharedCacheKind>(text.AsSpan(0, colon), out var kind))
        {
            Invalidated?.Invoke(kind, text![(colon + 1)..]);
        }
    }

    private RedisKey GenerationKey(SharedCacheKind kind, string scope) => string.Concat(_link.Prefix, "cache:gen:", kind.ToString(), ":", scope);

    private string EntryPrefix(SharedCacheKey key) => string.Concat(_link.Prefix, "cache:", key.Kind.ToString(), ":", key.Scope, "#");
}
