namespace Sluice.Core.Events;

/// <summary>One page of search results and the cursor of the next, if there may be more.</summary>
public sealed record MessagePage(IReadOnlyList<IndexedMessage> Messages, MessageCursor? Next);
