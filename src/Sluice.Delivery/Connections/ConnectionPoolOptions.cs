namespace Sluice.Delivery.Connections;

/// <summary>Per-site connection limits (the first shaping knobs; the full shaping config builds on these).</summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>Open connections to one site, busy and idle together.</summary>
    public int MaxConnectionsPerSite { get; set; } = 10;

    /// <summary>Messages sent over one connection before it is closed and a new one opened.</summary>
    public int MaxMessagesPerConnection { get; set; } = 100;

    /// <summary>An idle cached connection is closed after this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
