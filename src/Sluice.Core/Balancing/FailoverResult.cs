namespace Sluice.Core.Balancing;

/// <summary>
/// Where a failover run ended: the member that took the work (with its lease, which the caller
/// disposes when the work is over), or no member, with the last try's result if there was one.
/// </summary>
public readonly record struct FailoverResult<T>(T? Result, MemberPick Pick, MemberLease Lease, int Tries)
{
    public bool Taken => Pick.Member is not null;
}
