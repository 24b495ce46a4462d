using System.Collections.Concurrent;

namespace Sluice.Core.Telemetry;

/// <summary>
/// Bounds how often an error that repeats is logged: one line per cause per interval, which
/// carries how many occurrences were left unlogged since the previous line. A flood of refused
/// connections or a full disk thus costs a line a minute per cause, not a line per event.
/// </summary>
/// <typeparam name="TCause">What distinguishes one repeated error from another (a typed value).</typeparam>
public sealed class LogGate<TCause>
    where TCause : notnull
{
    private readonly ConcurrentDictionary<TCause, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;

    public LogGate(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _interval = interval;
    }

    /// <summary>
    /// True when <paramref name="cause"/> should be logged now; <paramref name="unlogged"/> is how
    /// many earlier occurrences were not (to be written in the line). False: count it and stay quiet.
    /// </summary>
    public bool ShouldLog(TCause cause, out long unlogged)
    {
        var entry = _entries.GetOrAdd(cause, static _ => new Entry());
        var now = _time.GetTimestamp();
        lock (entry)
        {
            if (entry.Logged && _time.GetElapsedTime(entry.LastLogged, now) < _interval)
            {
                entry.Unlogged++;
                unlogged = 0;
                return false;
            }

            unlogged = entry.Unlogged;
            entry.Unlogged = 0;
            entry.LastLogged = now;
            entry.Logged = true;
            return true;
        }
    }

    private sealed class Entry
    {
        public bool Logged { get; set; }

        public long LastLogged { get; set; }

        public long Unlogged { get; set; }
    }
}
