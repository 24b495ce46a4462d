namespace Sluice.Core.Balancing;

/// <summary>What a health check (active or passive) says of a member.</summary>
public enum MemberHealth
{
    /// <summary>Not checked yet (or checks are off): the member takes traffic.</summary>
    Unknown,
    Healthy,
    Unhealthy,
}
