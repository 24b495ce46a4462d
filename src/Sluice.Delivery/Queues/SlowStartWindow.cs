namespace Sluice.Delivery.Queues;

/// <summary>
/// How many connections a ready queue may have open now: starts small, grows by one with each
/// delivery and halves on throttling or failure (additive increase, multiplicative decrease, like
/// Postfix's destination concurrency feedback). Not thread-safe: its queue calls it under its lock.
/// </summary>
internal sealed class SlowStartWindow
{
    private int _max;

    public SlowStartWindow(int initial, int max)
    {
        _max = Math.Max(1, max);
        Limit = Math.Clamp(initial, 1, _max);
    }

    public int Limit { get; private set; }

    /// <summary>Session failures in a row (connect, timeout, TLS, lost, refused greeting).</summary>
    public int ConsecutiveFailures { get; private set; }

    public void Succeeded()
    {
        ConsecutiveFailures = 0;
        if (Limit < _max)
        {
            Limit++;
        }
    }

    /// <summary>The destination failed: the window halves; returns the failures in a row.</summary>
    public int Failed()
    {
        Limit = Math.Max(1, Limit / 2);
        return ++ConsecutiveFailures;
    }

    /// <summary>The destination is up but wants less: the window halves; no step towards a rest.</summary>
    public void Throttled() => Limit = Math.Max(1, Limit / 2);

    /// <summary>A reload changed the maximum: what was learned is kept within it.</summary>
    public void Reconfigure(int max)
    {
        _max = Math.Max(1, max);
        Limit = Math.Clamp(Limit, 1, _max);
    }

    /// <summary>A rest ended: start again from <paramref name="initial"/> connections.</summary>
    public void Restart(int initial)
    {
        ConsecutiveFailures = 0;
        Limit = Math.Clamp(initial, 1, _max);
    }
}
