using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>A message's queue metadata: everything but its bytes.</summary>
public sealed record QueueEntry(
    MessageId Id,
    Envelope Envelope,
    long Size,
    DateTimeOffset ReceivedAt,
    QueueMessageState State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? LastReply);
