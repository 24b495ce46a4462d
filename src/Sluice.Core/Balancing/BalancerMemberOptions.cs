namespace Sluice.Core.Balancing;

/// <summary>One member of a pool, as configured.</summary>
public sealed class BalancerMemberOptions
{
    /// <summary>Unique within the pool; a reload matches members by name to keep their state. Defaults to the address.</summary>
    public string? Name { get; set; }

    /// <summary>HOST:PORT.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Share of traffic for weighted policies; 0 drains the member (no new work, in-flight work finishes).</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Priority: tier 1 members share traffic; tier 2 takes traffic only when no tier-1 member is available, and so on.</summary>
    public int Tier { get; set; } = 1;

    /// <summary>Most connections (or messages in flight) at once; 0 for no cap.</summary>
    public int MaxConnections { get; set; }

    /// <summary>Outbound pools only: TLS policy towards this relay (Opportunistic, Required, Disabled); unset keeps the route's.</summary>
    public string? Tls { get; set; }

    /// <summary>Outbound pools only: AUTH PLAIN user name for this relay (sent only over TLS).</summary>
    public string? Username { get; set; }

    /// <summary>Outbound pools only: AUTH password. Never logged or shown by the API.</summary>
    public string? Password { get; set; }

    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? Address : Name;
}
