namespace Sluice.Core.State;

/// <summary>A request seen before under an Idempotency-Key: its hash, and its answer once it has one (null while in progress).</summary>
public sealed record IdempotencyRecord(string RequestHash, int? Status, string? Body);
