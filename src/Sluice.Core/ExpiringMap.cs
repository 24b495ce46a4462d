using System.Collections.Concurrent;

namespace Sluice.Core;

/// <summary>
/// Entries that each end at a time of their own (destinations suspended, senders paused): read
/// without I/O, ended ones taken by a periodic look, and every change handed to a save callback
/// (under a lock, so saves do not interleave) so the set can outlive a restart.
/// </summary>
public sealed class ExpiringMap<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries;
    private readonly Func<TValue, DateTimeOffset> _until;
    private readonly TimeProvider _time;
    private readonly Action<List<KeyValuePair<TKey, TValue>>>? _save;
    private readonly Lock _saveLock = new();

    /// <param name="initial">Entries saved before (those already ended are dropped).</param>
    /// <param name="save">Called with the live entries after each change; null keeps them in memory only.</param>
    public ExpiringMap(TimeProvider time, Func<TValue, DateTimeOffset> until, IEqualityComparer<TKey>? comparer = null, IEnumerable<KeyValuePair<TKey, TValue>>? initial = null, Action<List<KeyValuePair<TKey, TValue>>>? save = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(until);
        _time = time;
        _until = until;
        _save = save;
        _entries = new ConcurrentDictionary<TKey, TValue>(comparer);
        var now = time.GetUtcNow();
        foreach (var (key, value) in initial ?? [])
        {
            if (until(value) > now)
            {
                _entries[key] = value;
            }
        }
    }

    public bool IsEmpty => _entries.IsEmpty;

    /// <summary>Adds or replaces an entry; saved before this returns. True when the key was new.</summary>
    public bool Set(TKey key, TValue value)
    {
        var added = _entries.TryAdd(key, value);
        if (!added)
        {
            _entries[key] = value;
        }

        Save();
        return added;
    }

    /// <summary>Removes an entry (ended or not); saved before this returns.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        if (!_entries.TryRemove(key, out value!))
        {
            return false;
        }

        Save();
        return true;
    }

    /// <summary>The entry for <paramref name="key"/> while it has not ended.</summary>
    public bool TryGetLive(TKey key, out TValue value)
        => _entries.TryGetValue(key, out value!) && _time.GetUtcNow() < _until(value);

    /// <summary>Removes the entries that have ended and returns them.</summary>
    public List<KeyValuePair<TKey, TValue>> TakeEnded()
    {
        List<KeyValuePair<TKey, TValue>>? ended = null;
        var now = _time.GetUtcNow();
        foreach (var entry in _entries)
        {
            if (_until(entry.Value) <= now && _entries.TryRemove(entry))
            {
                (ended ??= []).Add(entry);
            }
        }

        if (ended is not null)
        {
            Save();
        }

        return ended ?? [];
    }

    /// <summary>The entries that have not ended.</summary>
    public List<KeyValuePair<TKey, TValue>> Live()
    {
        var now = _time.GetUtcNow();
        var live = new List<KeyValuePair<TKey, TValue>>(_entries.Count);
        foreach (var entry in _entries)
        {
            if (_until(entry.Value) > now)
            {
                live.Add(entry);
            }
        }

        return live;
    }

    private void Save()
    {
        if (_save is null)
        {
            return;
        }

        lock (_saveLock)
        {
            _save(Live());
        }
    }
}
