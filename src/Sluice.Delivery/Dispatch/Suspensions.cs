using System.Collections.Concurrent;

namespace Sluice.Delivery.Dispatch;

/// <summary>Destinations an operator has paused: the dispatcher defers their recipients until resumed or the time is up.</summary>
internal sealed class Suspensions(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.OrdinalIgnoreCase);

    public void Suspend(string destination, DateTimeOffset until) => _until[destination] = until;

    public bool Resume(string destination) => _until.TryRemove(destination, out _);

    public DateTimeOffset? SuspendedUntil(string destination)
    {
        if (!_until.TryGetValue(destination, out var until))
        {
            return null;
        }

        if (time.GetUtcNow() < until)
        {
            return until;
        }

        _until.TryRemove(new KeyValuePair<string, DateTimeOffset>(destination, until));
        return null;
    }

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot()
    {
        var now = time.GetUtcNow();
        return _until.Where(p => p.Value > now).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
    }
}
