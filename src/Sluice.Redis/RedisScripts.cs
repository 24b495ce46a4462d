namespace Sluice.Redis;

/// <summary>
/// The Lua the cluster's limits run in Redis: each is one atomic step, timed by Redis's own clock
/// (<c>TIME</c>; Redis 7 replicates a script's effects, so a script may read it), so nodes whose
/// clocks disagree still share one schedule. StackExchange.Redis sends each by its SHA once loaded.
/// </summary>
internal static class RedisScripts
{
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /// <summary>
    /// KEYS[1] a lease set, KEYS[2] its waiters' first asks (hash node → ms), KEYS[3] their last
    /// asks (sorted set); ARGV max, lease id, ttl ms, node, waiter ttl ms. Drops lapsed leases and
    /// waiters that stopped asking, then grants a lease if one is free and no node that has waited
    /// longer is still owed one — nodes are served in the order they first asked, so a node that
    /// reconnects at once cannot take every lease another node is waiting for. 1 granted, 0 not
    /// (the node is in line).
    /// </summary>
    public const string Acquire = Now + """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
        for _, w in ipairs(stale) do redis.call('HDEL', KEYS[2], w) end
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
        local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
        if free > 0 then
          local mine = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or now)
          local ahead = 0
          local all = redis.call('HGETALL', KEYS[2])
          for i = 1, #all, 2 do
            if all[i] ~= ARGV[4] then
              local first = tonumber(all[i + 1])
              if first < mine or (first == mine and all[i] < ARGV[4]) then ahead = ahead + 1 end
            end
          end
          if free > ahead then
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('HDEL', KEYS[2], ARGV[4])
            redis.call('ZREM', KEYS[3], ARGV[4])
            return 1
          end
        end
        redis.call('HSETNX', KEYS[2], ARGV[4], now)
        redis.call('ZADD', KEYS[3], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[3], ARGV[3])
        return 0
        """;

    /// <summary>
    /// KEYS[1] a lease set, KEYS[2] its waiters' first asks, KEYS[3] their last asks; ARGV ttl ms,
    /// node, waiter ttl ms, max, then lease ids. Every id still in the set is held until now + ttl.
    /// An id no longer there — Redis restarted empty, or this node's renewal came after the lease
    /// lapsed (a stalled process) — is put back only while the limit has room: another node may
    /// have taken its place meanwhile. Returns how many other nodes wait for a lease, then the ids
    /// that found no room (their connections must close).
    /// </summary>
    public const string Renew = Now + """
        local untilMs = now + tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local missing = {}
        for i = 5, #ARGV do
          if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
            redis.call('ZADD', KEYS[1], untilMs, ARGV[i])
          else
            missing[#missing + 1] = ARGV[i]
          end
        end
        local free = tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[1])
        local waiting = redis.call('ZCOUNT', KEYS[3], now - tonumber(ARGV[3]), '+inf')
        if redis.call('ZSCORE', KEYS[3], ARGV[2]) then waiting = waiting - 1 end
        local result = { waiting }
        for _, id in ipairs(missing) do
          if free > 0 then
            redis.call('ZADD', KEYS[1], untilMs, id)
            free = free - 1
          else
            result[#result + 1] = id
          end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return result
        """;

    /// <summary>
    /// KEYS[1] a lease set; ARGV the id given back, the id that takes its place. The node closed a
    /// connection whose lease is counted while another of its connections holds one that is not
    /// (it found no room at renewal): the counted place passes to that one, until the same time.
    /// </summary>
    public const string HandOver = """
        local untilMs = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not untilMs then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[1], untilMs, ARGV[2])
        return 1
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

    /// <summary>
    /// KEYS[1] the node set, KEYS[2] when it was begun; ARGV node name, ttl ms. This node beats now;
    /// nodes silent for ttl are dropped. Returns how many are left and how long ago the set was
    /// begun (ms): a set younger than a lease's life — a Redis just restarted, empty — has not yet
    /// heard from every node, so its count is a floor, not the number of live nodes.
    /// </summary>
    public const string Beat = Now + """
        redis.call('SET', KEYS[2], now, 'NX')
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        return { redis.call('ZCARD', KEYS[1]), now - tonumber(redis.call('GET', KEYS[2])) }
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
