using System.Collections.Concurrent;
using System.Text.Json;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Destinations an operator has paused, by domain or site, until a time. Their mail is held, not
/// attempted: attempts and retry times are untouched. The pauses are written to
/// <c>suspensions.json</c> in the data folder and survive a restart. (A queue resting after
/// failures is the queue's own state, not a suspension.)
/// </summary>
public sealed class Suspensions
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly string? _file;
    private readonly Lock _saveLock = new();

    public Suspensions(TimeProvider time, string? file = null)
    {
        _time = time;
        _file = file;
        if (file is not null && File.Exists(file))
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(File.ReadAllText(file)) ?? [];
            var now = time.GetUtcNow();
            foreach (var (destination, until) in saved)
            {
                if (until > now)
                {
                    _until[destination] = until;
                }
            }
        }
    }

    public bool IsEmpty => _until.IsEmpty;

    /// <summary>Pauses a destination; saved before this returns.</summary>
    public void Suspend(string destination, DateTimeOffset until)
    {
        _until[destination] = until;
        Save();
    }

    public bool Resume(string destination)
    {
        if (!_until.TryRemove(destination, out _))
        {
            return false;
        }

        Save();
        return true;
    }

    public DateTimeOffset? SuspendedUntil(string destination)
        => !_until.IsEmpty && _until.TryGetValue(destination, out var until) && _time.GetUtcNow() < until ? until : null;

    /// <summary>The suspended destination that covers mail for <paramref name="domain"/> at <paramref name="site"/>, or null.</summary>
    public string? Find(string domain, string site)
    {
        if (_until.IsEmpty)
        {
            return null;
        }

        if (SuspendedUntil(domain) is not null)
        {
            return domain.ToLowerInvariant();
        }

        return SuspendedUntil(site) is not null ? site : null;
    }

    /// <summary>Removes the pauses whose time is up and returns them, so their held mail can be released.</summary>
    public List<string> TakeExpired()
    {
        List<string>? expired = null;
        var now = _time.GetUtcNow();
        foreach (var (destination, until) in _until)
        {
            if (until <= now && _until.TryRemove(new KeyValuePair<string, DateTimeOffset>(destination, until)))
            {
                (expired ??= []).Add(destination);
            }
        }

        if (expired is not null)
        {
            Save();
        }

        return expired ?? [];
    }

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot()
    {
        var now = _time.GetUtcNow();
        var live = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        foreach (var (destination, until) in _until)
        {
            if (until > now)
            {
                live[destination] = until;
            }
        }

        return live;
    }

    /// <summary>Writes the pauses to a temporary file and renames it over the old one, so a crash leaves one or the other whole.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        lock (_saveLock)
        {
            var temp = _file + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, Snapshot());
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _file, overwrite: true);
        }
    }
}
