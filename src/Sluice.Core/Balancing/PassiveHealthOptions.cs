namespace Sluice.Core.Balancing;

/// <summary>Passive health: real traffic's outcomes in a sliding window make a member unhealthy.</summary>
public sealed class PassiveHealthOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How far back outcomes count.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Outcomes needed in the window before the failure rate means anything.</summary>
    public int MinimumSamples { get; set; } = 5;

    /// <summary>The share of failed outcomes (0–1) at which the member becomes unhealthy.</summary>
    public double FailureRate { get; set; } = 0.5;

    /// <summary>
    /// How long an unhealthy member rests. Then, with active checks on, it returns on its next
    /// successful probe; with them off, it returns and is judged by traffic again.
    /// </summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(30);
}
