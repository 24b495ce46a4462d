using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// How trying a target's hosts ended: per-recipient results when a host answered the transaction;
/// otherwise the last failure, and whether that session was lost in the middle of a transaction
/// (rather than failing to set up).
/// </summary>
internal sealed record HostsAttempt(List<AttemptResult>? Results, DeliveryOutcome? LastFailure, bool LostInTransaction);
