namespace Sluice.Core.Events;

/// <summary>An event as the index keeps it: its place in the node's event sequence (the webhook cursor), and the event with the message's sender, subject and tags filled in.</summary>
public sealed record IndexedEvent(long Sequence, DeliveryEvent Event);
