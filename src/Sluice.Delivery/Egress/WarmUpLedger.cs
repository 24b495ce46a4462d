using Sluice.Core;

namespace Sluice.Delivery.Egress;

/// <summary>
/// What each warming source has sent today, per provider, against its plan's allowance (UTC days).
/// Taken when a source is chosen for a message, so two messages never share the last unit of an
/// allowance. Saved to <c>warmup.json</c> in the data folder by the scheduler's tick when it changed,
/// so a restart within the day keeps the count (a crash can lose the last tick's worth).
/// </summary>
public sealed class WarmUpLedger
{
    private readonly Dictionary<(string Source, string Provider), int> _used = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly string? _file;
    private DateOnly _day;
    private DateOnly _releasedFor;
    private bool _dirty;

    public WarmUpLedger(TimeProvider time, string? file = null)
    {
        _time = time;
        _file = file;
        _day = Today();
        _releasedFor = _day;
        if (file is not null && DurableJsonFile.Read<Saved>(file) is { } saved && saved.Day == _day)
        {
            foreach (var u in saved.Used)
            {
                _used[(u.Source, u.Provider)] = u.Count;
            }
        }
    }

    /// <summary>Takes one message of <paramref name="source"/>'s allowance for <paramref name="provider"/> today; false when it is used up. A source without a plan (or past it) always takes.</summary>
    public bool TryTake(EgressSource source, string provider)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.WarmUp is not { } plan)
        {
            return true;
        }

        lock (_lock)
        {
            RollLocked();
            if (plan.Allowance(_day, provider) is not { } allowance)
            {
                return true;
            }

            var key = (source.Name, provider.ToLowerInvariant());
            var used = _used.GetValueOrDefault(key);
            if (used >= allowance)
            {
                return false;
            }

            _used[key] = used + 1;
            _dirty = true;
            return true;
        }
    }

    /// <summary>True once per UTC day, at the first call after midnight: mail held for warm-up may go again.</summary>
    public bool NewDay()
    {
        lock (_lock)
        {
            RollLocked();
            if (_releasedFor == _day)
            {
                return false;
            }

            _releasedFor = _day;
            return true;
        }
    }

    /// <summary>Writes the counts when they changed since the last save.</summary>
    public void Save()
    {
        Saved snapshot;
        lock (_lock)
        {
            if (_file is null || !_dirty)
            {
                return;
            }

            _dirty = false;
            snapshot = new Saved(_day, [.. _used.Select(u => new SavedUse(u.Key.Source, u.Key.Provider, u.Value))]);
        }

        DurableJsonFile.Write(_file, snapshot);
    }

    /// <summary>Today's counts: source, provider, messages sent.</summary>
    public List<(string Source, string Provider, int Used)> Today(out DateOnly day)
    {
        lock (_lock)
        {
            RollLocked();
            day = _day;
            return [.. _used.Select(u => (u.Key.Source, u.Key.Provider, u.Value))];
        }
    }

    private void RollLocked()
    {
        var today = Today();
        if (today != _day)
        {
            _day = today;
            _used.Clear();
            _dirty = true;
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private sealed record Saved(DateOnly Day, List<SavedUse> Used);

    private sealed record SavedUse(string Source, string Provider, int Count);
}
