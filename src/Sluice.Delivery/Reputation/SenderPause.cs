namespace Sluice.Delivery.Reputation;

/// <summary>A sender's mail held until <see cref="Until"/>, for a cause, with the figures that caused it in <see cref="Reason"/>.</summary>
public sealed record SenderPause(SenderKey Key, DateTimeOffset Since, DateTimeOffset Until, PauseCause Cause, string Reason);
