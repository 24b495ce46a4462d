namespace Sluice.Delivery.Reputation;

/// <summary>
/// One sender's counts over a sliding window: a ring of <see cref="Buckets"/> buckets of a fixed
/// width, each stamped with the period it counts, so a bucket from a lap ago reads as empty and is
/// reset when written. A sum over a window covers the buckets whose period began within it, so its
/// resolution is one bucket's width.
/// </summary>
internal sealed class RateWindow
{
    public const int Buckets = 60;

    private readonly Lock _lock = new();
    private readonly long _widthTicks;
    private readonly long[] _periods = new long[Buckets];
    private readonly int[] _sent = new int[Buckets];
    private readonly int[] _bounced = new int[Buckets];
    private readonly int[] _complained = new int[Buckets];
    private long _lastPeriod = -1;

    public RateWindow(TimeSpan width)
    {
        _widthTicks = Math.Max(1, width.Ticks);
        Array.Fill(_periods, -1);
    }

    /// <summary>The last time anything was counted here.</summary>
    public DateTimeOffset LastTouched => new(Math.Max(0, _lastPeriod) * _widthTicks, TimeSpan.Zero);

    public void Add(DateTimeOffset now, int sent, int bounced, int complained)
    {
        lock (_lock)
        {
            AddLocked(now.UtcTicks / _widthTicks, sent, bounced, complained);
        }
    }

    /// <summary>Adds counts by period: counts handed back when they could not be shared, or what the other nodes counted.</summary>
    public void Add(IReadOnlyList<Sluice.Core.Cluster.RateBucket> buckets)
    {
        lock (_lock)
        {
            foreach (var bucket in buckets)
            {
                AddLocked(bucket.Period, (int)bucket.Sent, (int)bucket.Bounced, (int)bucket.Complained);
            }
        }
    }

    /// <summary>Every bucket counted from <paramref name="oldestPeriod"/> on, into <paramref name="into"/>, and the ring emptied: counts handed over once.</summary>
    public void TakeAll(long oldestPeriod, List<Sluice.Core.Cluster.RateBucket> into)
    {
        lock (_lock)
        {
            for (var i = 0; i < Buckets; i++)
            {
                if (_periods[i] >= oldestPeriod && (_sent[i] != 0 || _bounced[i] != 0 || _complained[i] != 0))
                {
                    into.Add(new Sluice.Core.Cluster.RateBucket(_periods[i], _sent[i], _bounced[i], _complained[i]));
                }

                _periods[i] = -1;
            }
        }
    }

    private void AddLocked(long period, int sent, int bounced, int complained)
    {
        var i = (int)(period % Buckets);
        if (_periods[i] > period)
        {
            // A lap newer than these counts holds the bucket: they are out of every window.
            return;
        }

        if (_periods[i] != period)
        {
            _periods[i] = period;
            _sent[i] = 0;
            _bounced[i] = 0;
            _complained[i] = 0;
        }

        _sent[i] += sent;
        _bounced[i] += bounced;
        _complained[i] += complained;
        _lastPeriod = Math.Max(_lastPeriod, period);
    }

    /// <summary>The counts of the buckets within <paramref name="window"/> before <paramref name="now"/> (the whole ring at most).</summary>
    public RateTotals Sum(DateTimeOffset now, TimeSpan window)
    {
        var current = now.UtcTicks / _widthTicks;
        var span = Math.Clamp((window.Ticks + _widthTicks - 1) / _widthTicks, 1, Buckets);
        long sent = 0, bounced = 0, complained = 0;
        lock (_lock)
        {
            for (var i = 0; i < Buckets; i++)
            {
                var age = current - _periods[i];
                if (_periods[i] >= 0 && age >= 0 && age < span)
                {
                    sent += _sent[i];
                    bounced += _bounced[i];
                    complained += _complained[i];
                }
            }
        }

        return new RateTotals(sent, bounced, complained);
    }

    /// <summary>Forgets everything counted: a sender resumed after a pause is judged on fresh mail.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Array.Fill(_periods, -1);
        }
    }
}
