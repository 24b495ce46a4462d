namespace Sluice.Delivery.Scheduling;

/// <summary>When to try again after a transient failure, or null when the message has expired.</summary>
public sealed class RetrySchedule(RetryOptions options, Func<double> random)
{
    /// <param name="failedAttempts">Attempts made so far, this one included (1 after the first failure).</param>
    public DateTimeOffset? Next(int failedAttempts, DateTimeOffset receivedAt, DateTimeOffset now)
    {
        var expiry = receivedAt + options.MaxAge;
        if (now >= expiry)
        {
            return null;
        }

        var intervals = options.EffectiveIntervals;
        var interval = intervals[Math.Clamp(failedAttempts - 1, 0, intervals.Count - 1)];
        var spread = 1 + (((random() * 2) - 1) * options.Jitter);
        var next = now + TimeSpan.FromTicks((long)(interval.Ticks * spread));

        // One last attempt at the expiry time rather than giving up early.
        return next < expiry ? next : expiry;
    }
}
