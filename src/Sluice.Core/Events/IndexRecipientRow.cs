namespace Sluice.Core.Events;

/// <summary>
/// The newest state of one recipient in a batch. Written only over an older row
/// (<see cref="UpdatedAt"/>, Unix milliseconds): in a cluster the node that delivered may index its
/// outcome before the node that received the message indexes the reception. <see cref="HeldFor"/>:
/// the hold key of a held recipient (its release names it), else null.
/// </summary>
public sealed record IndexRecipientRow(string MessageId, string Address, string State, string? Reply, long UpdatedAt, string? HeldFor = null);
