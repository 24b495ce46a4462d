using Sluice.Core.Events;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Http;

/// <summary>One message as the API and the dashboard show it: its queue entry (while queued), what the index knows and its timeline.</summary>
internal static class MessageLookup
{
    public static async Task<(QueueEntry? Entry, IndexedMessage? Indexed, IReadOnlyList<DeliveryEvent> Timeline)> LoadAsync(string id, IMessageQueue queue, IMessageIndex index, CancellationToken cancellationToken)
    {
        var entry = await queue.GetAsync(new MessageId(id), cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            // Settled a moment ago: its last events may still be on their way into the index.
            await index.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var indexed = await index.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (entry is { State: QueueMessageState.Queued } && indexed is { Recipients.Count: > 0 } && !indexed.Recipients.Any(r => r.IsPending))
        {
            // Settled between the two reads (in a cluster the queue's view of another node's mail is
            // itself the index's): what the index says now wins.
            entry = null;
        }

        return (entry, indexed, await index.TimelineAsync(id, cancellationToken).ConfigureAwait(false));
    }
}
