namespace Sluice.Core.Balancing;

/// <summary>Active health checks: a probe of every member on an interval.</summary>
public sealed class HealthCheckOptions
{
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One probe's whole budget (connect, greeting, EHLO, optional STARTTLS, QUIT).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Successful probes in a row that make a member healthy.</summary>
    public int HealthyThreshold { get; set; } = 1;

    /// <summary>Failed probes in a row that make a member unhealthy.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Also check that STARTTLS works.</summary>
    public bool StartTls { get; set; }
}
