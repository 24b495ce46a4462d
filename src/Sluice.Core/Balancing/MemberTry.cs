namespace Sluice.Core.Balancing;

/// <summary>
/// How one try on one member went: its result, the member's fault if it was one (null: the member
/// did its job), and whether the work should go on to the next member.
/// </summary>
public readonly record struct MemberTry<T>(T? Result, MemberFault? Fault, bool TryNext);
