namespace Sluice.Redis;

/// <summary>
/// The Lua the cluster's limits run in Redis: each is one atomic step, timed by Redis's own clock
/// (<c>TIME</c>; Redis 7 replicates a script's effects, so a script may read it), so nodes whose
/// clocks disagree still share one schedule. StackExchange.Redis sends each by its SHA once loaded.
/// </summary>
internal static class RedisScripts
{
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /// <summary>KEYS[1] a lease set; ARGV max, lease id, ttl ms. Drops lapsed leases, then adds this one if fewer than max are held: 1 granted, 0 not.</summary>
    public const string Acquire = Now + """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
          redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS[1] a lease set; ARGV ttl ms, then lease ids. Every id held (again, after a Redis restart) until now + ttl, whatever the count: they are in use.</summary>
    public const string Renew = Now + """
        local untilMs = now + tonumber(ARGV[1])
        for i = 2, #ARGV do
          redis.call('ZADD', KEYS[1], untilMs, ARGV[i])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return #ARGV - 1
        """;

    /// <summary>
    /// KEYS[1] a rate's theoretical arrival time (µs); ARGV interval µs, tolerance µs (the burst).
    /// GCRA as a reservation: books the next slot and returns the µs to wait for it.
    /// </summary>
    public const string Reserve = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local wait = tat - tonumber(ARGV[2]) - now
        local nextTat = tat + tonumber(ARGV[1])
        redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.floor((nextTat - now) / 1000) + 1000)
        if wait < 0 then return 0 end
        return wait
        """;

    /// <summary>KEYS[1] the node set; ARGV node name, ttl ms. This node beats now; nodes silent for ttl are dropped; returns how many are left.</summary>
    public const string Beat = Now + """
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        return redis.call('ZCARD', KEYS[1])
        """;

    /// <summary>KEYS[1] the leader key; ARGV node name, ttl ms. Takes the lease when free, extends it when this node has it: 1 leader, 0 not.</summary>
    public const string Lead = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if not holder then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS[1] the leader key; ARGV node name. Gives the lease up if this node has it.</summary>
    public const string Resign = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;
}
