namespace Sluice.Core.Events;

/// <summary>
/// Messages the index knows to have recipients still to settle (queued or deferred), received since
/// <see cref="Since"/>, in id order after <see cref="After"/> (or the one with <see cref="Id"/>).
/// Messages an operator deleted or bounced are not among them.
/// </summary>
public sealed record PendingQuery(DateTimeOffset Since, string? After = null, string? Id = null, int Limit = 500);
