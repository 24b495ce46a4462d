using Sluice.Core.Balancing;

namespace Sluice.Balance;

/// <summary>The <c>Balance</c> section: the front door for SMTP in front of a group of Sluice nodes.</summary>
public sealed class BalanceOptions
{
    public List<BalanceListenerOptions> Listeners { get; set; } = [];

    /// <summary>Node pools (members are nodes' SMTP listeners); tiers give active-passive, NextPool a standby pool.</summary>
    public List<BalancerPoolOptions> Pools { get; set; } = [];

    /// <summary>Health, metrics and the pools view.</summary>
    public string Http { get; set; } = "127.0.0.1:8026";

    public ProxyProtocolVersion ProxyProtocol { get; set; } = ProxyProtocolVersion.V2;

    /// <summary>A node that does not accept the TCP connection within this long is skipped (and counts against it).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After one direction of a proxied connection ends, how long the other may still run.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The log's format and levels: bound from the top-level <c>Logging</c> section, as for a node.</summary>
    public Logging.LoggingOptions Logging { get; set; } = new();

    /// <summary>Proxy event loops (a thread each); 0: one per core. Read at start.</summary>
    public int SocketThreads { get; set; }
}
