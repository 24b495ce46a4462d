namespace Sluice.Delivery.Connections;

/// <summary>Per-site connection limits (the first shaping knobs; the full shaping config builds on these).</summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>Open connections to one site, busy and idle together.</summary>
    public int MaxConnectionsPerSite { get; set; } = 10;

    /// <summary>
    /// Slow start (as Postfix does): a site begins with this many connections, gains one for each
    /// successful delivery up to <see cref="MaxConnectionsPerSite"/>, and halves on a connection
    /// failure or a throttling reply (421, rate-limit 4xx).
    /// </summary>
    public int InitialConnectionsPerSite { get; set; } = 2;

    /// <summary>This many connection failures in a row suspend the site for <see cref="FailureCooldown"/>.</summary>
    public int FailuresBeforeCooldown { get; set; } = 5;

    public TimeSpan FailureCooldown { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages per second to one site on average (0: no limit), with bursts of <see cref="MessageBurstPerSite"/>.</summary>
    public double MaxMessageRatePerSite { get; set; }

    public int MessageBurstPerSite { get; set; } = 10;

    /// <summary>New connections per second to one site on average (0: no limit), with bursts of <see cref="ConnectionBurstPerSite"/>.</summary>
    public double MaxConnectionRatePerSite { get; set; }

    public int ConnectionBurstPerSite { get; set; } = 5;

    /// <summary>Messages sent over one connection before it is closed and a new one opened.</summary>
    public int MaxMessagesPerConnection { get; set; } = 100;

    /// <summary>An idle cached connection is closed after this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
