namespace Sluice.Core.Balancing;

/// <summary>
/// Outcomes of real traffic over a sliding window, in ten buckets: recording and reading are
/// O(buckets) with no allocation, and old outcomes fall out as time moves on. Not thread-safe: the
/// member calls it under its lock.
/// </summary>
internal sealed class PassiveHealthWindow
{
    private const int Buckets = 10;
    private readonly long[] _epoch = new long[Buckets];
    private readonly int[] _successes = new int[Buckets];
    private readonly int[] _failures = new int[Buckets];
    private long _bucketTicks;

    public PassiveHealthWindow(TimeSpan window) => Resize(window);

    public void Resize(TimeSpan window)
    {
        _bucketTicks = Math.Max(1, window.Ticks / Buckets);
        Clear();
    }

    public void Clear()
    {
        Array.Fill(_epoch, -1);
        Array.Clear(_successes);
        Array.Clear(_failures);
    }

    public void Record(bool failure, DateTimeOffset now)
    {
        var epoch = now.UtcTicks / _bucketTicks;
        var i = (int)(epoch % Buckets);
        if (_epoch[i] != epoch)
        {
            _epoch[i] = epoch;
            _successes[i] = 0;
            _failures[i] = 0;
        }

        if (failure)
        {
            _failures[i]++;
        }
        else
        {
            _successes[i]++;
        }
    }

    /// <summary>Outcomes and failures within the window ending at <paramref name="now"/>.</summary>
    public (int Samples, int Failures) Totals(DateTimeOffset now)
    {
        var epoch = now.UtcTicks / _bucketTicks;
        int samples = 0, failures = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (_epoch[i] > epoch - Buckets)
            {
                samples += _successes[i] + _failures[i];
                failures += _failures[i];
            }
        }

        return (samples, failures);
    }
}
