namespace Sluice.Core.Queue;

/// <summary>One page of a listing; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record QueuePage(IReadOnlyList<QueueEntry> Items, string? NextCursor);
