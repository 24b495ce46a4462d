using System.Collections.Concurrent;
using Sluice.Core.Telemetry;

namespace Sluice.Delivery.Reputation;

/// <summary>
/// Sliding-window counts for every sender key seen: each key's ring spans the longest window the
/// options need in 60 buckets. At most <see cref="ReputationOptions.MaxSenders"/> keys per scope;
/// keys with nothing counted for a whole window are swept away. In a cluster the totals add what
/// the other nodes counted (<see cref="StartSharing"/>, ADR 0038).
/// </summary>
public sealed partial class SenderRates
{
    private readonly ConcurrentDictionary<SenderKey, RateWindow> _windows = new();
    private readonly int[] _perScope = new int[3];
    private readonly TimeSpan _longest;
    private readonly TimeSpan _width;
    private readonly int _maxSenders;
    private readonly TimeProvider _time;
    private readonly SluiceMetrics? _metrics;

    public SenderRates(ReputationOptions options, TimeProvider time, SluiceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _longest = options.LongestWindow();
        _width = _longest / RateWindow.Buckets;
        _maxSenders = options.MaxSenders;
        _time = time;
        _metrics = metrics;
    }

    public void Add(in SenderIdentity sender, int sent, int bounced, int complained)
    {
        var now = _time.GetUtcNow();
        sender.ForEach((this, now, sent, bounced, complained), static (s, key) => s.Item1.Add(key, s.now, s.sent, s.bounced, s.complained));
    }

    public RateTotals Totals(SenderKey key, TimeSpan window)
    {
        var now = _time.GetUtcNow();
        return WithOthers(key, _windows.TryGetValue(key, out var counts) ? counts.Sum(now, window) : default, now, window);
    }

    /// <summary>Forgets a sender's counts (in a cluster, everywhere: the shared counts go at the next exchange).</summary>
    public void Clear(SenderKey key)
    {
        if (_windows.TryGetValue(key, out var counts))
        {
            counts.Clear();
        }

        Unshare(key);
    }

    /// <summary>Every sender with mail counted within <paramref name="window"/>, with its totals there.</summary>
    public List<(SenderKey Key, RateTotals Totals)> Snapshot(TimeSpan window)
    {
        var now = _time.GetUtcNow();
        var all = new List<(SenderKey, RateTotals)>();
        foreach (var (key, counts) in _windows)
        {
            var totals = WithOthers(key, counts.Sum(now, window), now, window);
            if (totals.Sent > 0 || totals.Bounced > 0 || totals.Complained > 0)
            {
                all.Add((key, totals));
            }
        }

        return all;
    }

    /// <summary>Drops the senders with nothing counted for a whole window (called from the scheduler's tick).</summary>
    public void Sweep()
    {
        var cutoff = _time.GetUtcNow() - _longest - _width;
        foreach (var (key, counts) in _windows)
        {
            if (counts.LastTouched < cutoff && _windows.TryRemove(new KeyValuePair<SenderKey, RateWindow>(key, counts)))
            {
                Interlocked.Decrement(ref _perScope[(int)key.Scope]);
                _others.TryRemove(key, out _);
                _unshared.TryRemove(key, out _);
            }
        }
    }

    private void Add(SenderKey key, DateTimeOffset now, int sent, int bounced, int complained)
    {
        if (!_windows.TryGetValue(key, out var counts))
        {
            if (Volatile.Read(ref _perScope[(int)key.Scope]) >= _maxSenders)
            {
                _metrics?.SendersUntracked.Add(1, new KeyValuePair<string, object?>("scope", SenderKey.ScopeName(key.Scope)));
                return;
            }

            var fresh = new RateWindow(_width);
            counts = _windows.GetOrAdd(key, fresh);
            if (ReferenceEquals(counts, fresh))
            {
                Interlocked.Increment(ref _perScope[(int)key.Scope]);
            }
        }

        counts.Add(now, sent, bounced, complained);
        if (_sharing)
        {
            UnsharedOf(key).Add(now, sent, bounced, complained);
        }
    }
}
