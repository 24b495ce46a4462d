using System.Collections.Concurrent;
using System.Text.Json;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Destinations whose mail waits: paused by an operator, or resting after repeated connection
/// failures. The dispatcher defers their recipients until resumed or the time is up. An operator's
/// pause is written to <c>suspensions.json</c> in the data folder and survives a restart; a rest is
/// the node's own judgement of a live condition and starts afresh.
/// </summary>
internal sealed class Suspensions
{
    private readonly ConcurrentDictionary<string, Entry> _until = new(StringComparer.OrdinalIgnoreCase);
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
                    _until[destination] = new Entry(until, ByOperator: true);
                }
            }
        }
    }

    /// <summary>Pauses a destination. An operator's pause is saved before this returns.</summary>
    public void Suspend(string destination, DateTimeOffset until, bool byOperator = false)
    {
        _until[destination] = new Entry(until, byOperator);
        if (byOperator)
        {
            Save();
        }
    }

    public bool Resume(string destination)
    {
        if (!_until.TryRemove(destination, out var entry))
        {
            return false;
        }

        if (entry.ByOperator)
        {
            Save();
        }

        return true;
    }

    public DateTimeOffset? SuspendedUntil(string destination)
    {
        if (_until.IsEmpty || !_until.TryGetValue(destination, out var entry))
        {
            return null;
        }

        if (_time.GetUtcNow() < entry.Until)
        {
            return entry.Until;
        }

        _until.TryRemove(new KeyValuePair<string, Entry>(destination, entry));
        return null;
    }

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot()
    {
        var now = _time.GetUtcNow();
        return _until.Where(p => p.Value.Until > now).ToDictionary(p => p.Key, p => p.Value.Until, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Writes the operator's pauses to a temporary file and renames it over the old one, so a crash leaves one or the other whole.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        lock (_saveLock)
        {
            var now = _time.GetUtcNow();
            var byOperator = _until.Where(p => p.Value.ByOperator && p.Value.Until > now).ToDictionary(p => p.Key, p => p.Value.Until, StringComparer.OrdinalIgnoreCase);
            var temp = _file + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, byOperator);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _file, overwrite: true);
        }
    }

    private readonly record struct Entry(DateTimeOffset Until, bool ByOperator);
}
