namespace Sluice.Balance;

/// <summary>One front-door address and the pool it sends connections to.</summary>
public sealed class BalanceListenerOptions
{
    /// <summary>ADDRESS:PORT.</summary>
    public string Address { get; set; } = "127.0.0.1:2500";

    /// <summary>Pool of nodes (default: the first pool).</summary>
    public string? Pool { get; set; }
}
