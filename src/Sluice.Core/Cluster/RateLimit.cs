namespace Sluice.Core.Cluster;

/// <summary>
/// A GCRA (generic cell rate algorithm) limiter: at most <c>rate</c> events per second on average
/// with bursts of up to <c>burst</c>, the same algorithm KumoMTA runs in Redis. <see cref="Reserve"/>
/// books the next slot and says how long to wait for it, so callers queue up fairly without polling.
/// </summary>
public sealed class RateLimit : IRateGate
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tolerance;
    private readonly Lock _lock = new();
    private DateTimeOffset _theoreticalArrival;

    public RateLimit(double perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _time = time;
        _interval = TimeSpan.FromSeconds(1 / perSecond);
        _tolerance = _interval * Math.Max(0, burst - 1);
        _theoreticalArrival = time.GetUtcNow();
    }

    /// <summary>Books one event; the wait until it may happen (zero when it may happen now).</summary>
    public TimeSpan Reserve()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var tat = _theoreticalArrival > now ? _theoreticalArrival : now;
            var wait = tat - _tolerance - now;
            _theoreticalArrival = tat + _interval;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>Books one event and waits for its slot.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
