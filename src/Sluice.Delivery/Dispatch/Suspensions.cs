using Sluice.Core;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Destinations an operator has paused, by domain or site, until a time. Their mail is held, not
/// attempted: attempts and retry times are untouched. The pauses are written to
/// <c>suspensions.json</c> in the data folder and survive a restart. (A queue resting after
/// failures is the queue's own state, not a suspension.)
/// </summary>
public sealed class Suspensions(TimeProvider time, string? file = null)
{
    private readonly ExpiringMap<string, DateTimeOffset> _until = new(
        time,
        static until => until,
        StringComparer.OrdinalIgnoreCase,
        file is null ? null : DurableJsonFile.Read<Dictionary<string, DateTimeOffset>>(file),
        file is null ? null : live => DurableJsonFile.Write(file, new Dictionary<string, DateTimeOffset>(live, StringComparer.OrdinalIgnoreCase)));

    public bool IsEmpty => _until.IsEmpty;

    /// <summary>Pauses a destination; saved before this returns.</summary>
    public void Suspend(string destination, DateTimeOffset until) => _until.Set(destination, until);

    public bool Resume(string destination) => _until.TryRemove(destination, out _);

    public DateTimeOffset? SuspendedUntil(string destination)
        => !_until.IsEmpty && _until.TryGetLive(destination, out var until) ? until : null;

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
    public List<string> TakeExpired() => _until.TakeEnded().ConvertAll(e => e.Key);

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot() => new Dictionary<string, DateTimeOffset>(_until.Live(), StringComparer.OrdinalIgnoreCase);
}
