using System.Net;

namespace Sluice.Server.Auth;

/// <summary>
/// Counts AUTH failures per client address and per user name in a fixed window. An attempt is
/// counted as it starts (in flight) and stays counted if it fails, so concurrent attempts cannot
/// pass the limit and a success does not wipe the failures before it. Past the limit, AUTH from
/// that address (or for that user) is refused until the window ends.
/// </summary>
internal sealed class AuthFailureLimiter(TimeProvider time, int maxPerAddress, int maxPerUser, TimeSpan window)
{
    private const int PruneAbove = 100_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Entry> _byAddress = [];
    private readonly Dictionary<string, Entry> _byUser = new(StringComparer.OrdinalIgnoreCase);

    public bool IsBlocked(IPAddress client)
    {
        lock (_lock)
        {
            return Full(_byAddress.GetValueOrDefault(client), maxPerAddress, time.GetUtcNow());
        }
    }

    /// <summary>Counts an attempt for <paramref name="user"/> from <paramref name="client"/> as in flight; false (nothing counted) when either is at its limit.</summary>
    public bool TryBegin(IPAddress client, string user)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var byAddress = Get(_byAddress, client, now);
            var byUser = Get(_byUser, user, now);
            if (Full(byAddress, maxPerAddress, now) || Full(byUser, maxPerUser, now))
            {
                return false;
            }

            byAddress.InFlight++;
            byUser.InFlight++;
            return true;
        }
    }

    /// <summary>Ends an attempt begun with <see cref="TryBegin"/>; a failure stays counted for the window.</summary>
    public void End(IPAddress client, string user, bool failed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var entry in (ReadOnlySpan<Entry>)[Get(_byAddress, client, now), Get(_byUser, user, now)])
            {
                entry.InFlight--;
                if (failed)
                {
                    entry.Fail(now, window);
                }
            }
        }
    }

    /// <summary>A malformed attempt (no user to name): counts against the address only.</summary>
    public void RecordFailure(IPAddress client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Get(_byAddress, client, now).Fail(now, window);
        }
    }

    private static bool Full(Entry? entry, int max, DateTimeOffset now)
        => entry is not null && entry.Counted(now) + entry.InFlight >= max;

    private static Entry Get<TKey>(Dictionary<TKey, Entry> entries, TKey key, DateTimeOffset now)
        where TKey : notnull
    {
        if (entries.Count > PruneAbove)
        {
            foreach (var (k, e) in entries)
            {
                if (e.InFlight == 0 && e.Counted(now) == 0)
                {
                    entries.Remove(k);
                }
            }
        }

        if (!entries.TryGetValue(key, out var entry))
        {
            entry = new Entry();
            entries[key] = entry;
        }

        return entry;
    }

    private sealed class Entry
    {
        private int _failures;
        private DateTimeOffset _ends;

        public int InFlight { get; set; }

        public int Counted(DateTimeOffset now) => now < _ends ? _failures : 0;

        public void Fail(DateTimeOffset now, TimeSpan window)
        {
            if (now >= _ends)
            {
                _failures = 0;
                _ends = now + window;
            }

            _failures++;
        }
    }
}
