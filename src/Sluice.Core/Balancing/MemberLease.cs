namespace Sluice.Core.Balancing;

/// <summary>One unit of work on a member (a connection or a message in flight); disposing it ends the work.</summary>
public readonly struct MemberLease : IDisposable, IEquatable<MemberLease>
{
    internal MemberLease(BalancerMember member) => Member = member;

    public BalancerMember Member { get; }

    public void Dispose() => Member?.End();

    public bool Equals(MemberLease other) => ReferenceEquals(Member, other.Member);

    public override bool Equals(object? obj) => obj is MemberLease other && Equals(other);

    public override int GetHashCode() => Member?.GetHashCode() ?? 0;

    public static bool operator ==(MemberLease left, MemberLease right) => left.Equals(right);

    public static bool operator !=(MemberLease left, MemberLease right) => !left.Equals(right);
}
