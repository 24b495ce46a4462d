namespace Sluice.Core.Balancing;

/// <summary>The member picked, the pool it came from (after any failover to a next pool), and whether health was ignored to find it.</summary>
public readonly record struct MemberPick(BalancerMember? Member, BalancerPool? Pool, bool FailedOpen)
{
    public static MemberPick None => default;
}
