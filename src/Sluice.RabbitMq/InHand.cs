using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

/// <summary>A delivery this node holds: its metadata, its bytes, and the tag that settles it on the channel (generation) it came on.</summary>
internal sealed record InHand(QueueEntry Entry, byte[] Body, ulong Tag, int Generation, bool Redelivered);
