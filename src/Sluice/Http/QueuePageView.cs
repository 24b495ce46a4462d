namespace Sluice.Http;

internal sealed record QueuePageView(IReadOnlyList<QueueEntryView> Items, string? NextCursor);
