namespace Sluice.Core.Balancing;

/// <summary>The two common shapes of a <see cref="MemberTry{T}"/>.</summary>
public static class MemberTries
{
    /// <summary>The member did its job (whatever the result says about the work itself).</summary>
    public static MemberTry<T> Done<T>(T result) => new(result, null, false);

    /// <summary>The member failed by its own fault: count it and try the next one.</summary>
    public static MemberTry<T> Failed<T>(T? result, MemberFault fault) => new(result, fault, true);
}
