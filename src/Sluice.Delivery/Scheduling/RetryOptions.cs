namespace Sluice.Delivery.Scheduling;

/// <summary>The <c>Delivery:Retry</c> section.</summary>
public sealed class RetryOptions
{
    /// <summary>Used when <see cref="Intervals"/> is empty.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultIntervals =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
    ];

    /// <summary>
    /// Waits after the 1st, 2nd, … failed attempt; the last one repeats until <see cref="MaxAge"/>.
    /// Empty means <see cref="DefaultIntervals"/> (the list starts empty because the configuration
    /// binder appends to a list instead of replacing it).
    /// </summary>
    public List<TimeSpan> Intervals { get; set; } = [];

    /// <summary>The waits in force: <see cref="Intervals"/>, or <see cref="DefaultIntervals"/> when none are configured.</summary>
    public IReadOnlyList<TimeSpan> EffectiveIntervals => Intervals.Count > 0 ? Intervals : DefaultIntervals;

    /// <summary>A message still undelivered this long after reception expires and bounces (RFC 5321 §4.5.4.1 suggests 4–5 days).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Each wait is spread by up to ± this fraction, so retries of a burst do not return together.</summary>
    public double Jitter { get; set; } = 0.1;
}
