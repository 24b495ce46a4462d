using System.Collections.Concurrent;
using Sluice.Core.Cluster;

namespace Sluice.Delivery.Reputation;

/// <summary>
/// Sharing with the other nodes (ADR 0038): what is counted here is also kept apart until an
/// exchange hands it over; what the others counted comes back per sender and is added to this
/// node's own counts wherever a total is read.
/// </summary>
public sealed partial class SenderRates
{
    /// <summary>Counts not handed over yet, per sender.</summary>
    private readonly ConcurrentDictionary<SenderKey, RateWindow> _unshared = new();

    /// <summary>What the other nodes counted, per sender, as of the last exchange.</summary>
    private readonly ConcurrentDictionary<SenderKey, RateWindow> _others = new();

    /// <summary>Senders cleared here since the last exchange: their shared counts are dropped.</summary>
    private readonly ConcurrentQueue<SenderKey> _cleared = new();

    private volatile bool _sharing;

    /// <summary>The width of a window's bucket: an exchange shares only with nodes whose buckets are as wide.</summary>
    public TimeSpan BucketWidth => _width;

    /// <summary>Counts from now on are also kept for the next exchange.</summary>
    public void StartSharing() => _sharing = true;

    /// <summary>The first period still inside the longest window.</summary>
    public long OldestPeriod() => (_time.GetUtcNow().UtcTicks / _width.Ticks) - RateWindow.Buckets + 1;

    /// <summary>
    /// The next exchange's content: senders cleared, counts since the last one (handed over once),
    /// and, of the senders counted since, those <paramref name="judged"/> says a brake watches: a
    /// brake is checked only when this node counts an outcome, so the others' counts are asked
    /// for while this node's own keep coming (a sender quiet here keeps the last ones it heard).
    /// </summary>
    public RateExchange TakeExchange(Func<SenderKey, bool> judged)
    {
        ArgumentNullException.ThrowIfNull(judged);
        var oldest = OldestPeriod();
        var cleared = new List<string>();
        while (_cleared.TryDequeue(out var key))
        {
            cleared.Add(key.ToString());
        }

        var counted = new List<(string, IReadOnlyList<RateBucket>)>();
        var wanted = new List<string>();
        foreach (var (key, window) in _unshared)
        {
            var buckets = new List<RateBucket>();
            window.TakeAll(oldest, buckets);
            if (buckets.Count > 0)
            {
                var series = key.ToString();
                counted.Add((series, buckets));
                if (judged(key))
                {
                    wanted.Add(series);
                }
            }
        }

        return new RateExchange(_width, oldest, cleared, counted, wanted);
    }

    /// <summary>An exchange that did not happen (the store away): its counts and clears wait for the next one.</summary>
    public void Unsent(RateExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        foreach (var series in exchange.Cleared)
        {
            if (SenderKey.TryParse(series, out var key))
            {
                _cleared.Enqueue(key);
            }
        }

        foreach (var (series, buckets) in exchange.Counted)
        {
            if (SenderKey.TryParse(series, out var key))
            {
                UnsharedOf(key).Add(buckets);
            }
        }
    }

    /// <summary>What the other nodes counted for each sender asked for (none: they counted nothing).</summary>
    public void Received(RateExchange exchange, IReadOnlyDictionary<string, IReadOnlyList<RateBucket>> others)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(others);
        foreach (var series in exchange.Wanted)
        {
            if (!SenderKey.TryParse(series, out var key))
            {
                continue;
            }

            if (others.TryGetValue(series, out var buckets) && buckets.Count > 0)
            {
                var window = new RateWindow(_width);
                window.Add(buckets);
                _others[key] = window;
            }
            else
            {
                _others.TryRemove(key, out _);
            }
        }
    }

    /// <summary>The others' counts are too old to judge on (the store away for several rounds): this node judges on its own until it hears again.</summary>
    public void ForgetOthers() => _others.Clear();

    /// <summary>This node's own counts of a sender in the window plus what the other nodes counted, as last heard.</summary>
    private RateTotals WithOthers(SenderKey key, RateTotals own, DateTimeOffset now, TimeSpan window)
        => _others.TryGetValue(key, out var others) ? own + others.Sum(now, window) : own;

    private RateWindow UnsharedOf(SenderKey key) => _unshared.GetOrAdd(key, static (_, width) => new RateWindow(width), _width);

    private void Unshare(SenderKey key)
    {
        _others.TryRemove(key, out _);
        if (_sharing)
        {
            _unshared.TryRemove(key, out _);
            _cleared.Enqueue(key);
        }
    }
}
