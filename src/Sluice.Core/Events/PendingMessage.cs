namespace Sluice.Core.Events;

/// <summary>A message with recipients still to settle, as the index knows it: its recipients (all of them, each with its state) and the most attempts any had.</summary>
public sealed record PendingMessage(IndexedMessage Message, int Attempts);
