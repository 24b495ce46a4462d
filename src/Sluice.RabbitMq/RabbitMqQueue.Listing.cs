using Sluice.Core.Events;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

public sealed partial class RabbitMqQueue
{
    private const int IndexPage = 500;

    /// <summary>
    /// The cluster's queue in id order: this node's messages in hand (in flight, exact), and from the
    /// shared index every other message with recipients still to settle (queued: due or deferred on
    /// any node or broker; held: every recipient still to settle held by a suspension, a pause or the
    /// warm-up allowance — a ready queue's flow-control holds are not indexed and list as queued; the
    /// brokers cannot be browsed without taking messages). The index lags its events by a batch; it
    /// does not know a message's next attempt (left unknown, <c>default</c>), nor whether a broker
    /// holds it in the dead-letter queue.
    /// </summary>
    public async ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matching = new List<QueueEntry>();
        foreach (var message in _inHand.Values)
        {
            if (Matches(message.Entry, filter, QueueMessageState.InFlight) && After(message.Entry.Id.Value, cursor))
            {
                matching.Add(message.Entry);
            }
        }

        if (_index is not null && filter.State is null or QueueMessageState.Queued or QueueMessageState.Held)
        {
            var fromIndex = 0;
            var after = cursor;
            while (fromIndex <= limit)
            {
                var page = await _index.PendingAsync(new PendingQuery(Since(), after, filter.Id?.Value, IndexPage), cancellationToken).ConfigureAwait(false);
                foreach (var pending in page)
                {
                    if (!_inHand.ContainsKey(new MessageId(pending.Message.Id)) && Pending(pending) is { } entry && Matches(entry, filter, entry.State))
                    {
                        matching.Add(entry);
                        fromIndex++;
                    }
                }

                if (page.Count < IndexPage)
                {
                    break;
                }

                after = page[^1].Message.Id;
            }
        }

        matching.Sort((a, b) => string.CompareOrdinal(a.Id.Value, b.Id.Value));
        var items = matching.Count > limit ? matching.GetRange(0, limit) : matching;
        return new QueuePage(items, matching.Count > limit ? items[^1].Id.Value : null);
    }

    /// <summary>A message in this node's hands (exact), or one the shared index knows to be still queued somewhere in the cluster.</summary>
    public async ValueTask<QueueEntry?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (_inHand.TryGetValue(id, out var message))
        {
            return message.Entry;
        }

        if (_index is null)
        {
            return null;
        }

        var found = await _index.PendingAsync(new PendingQuery(Since(), Id: id.Value, Limit: 1), cancellationToken).ConfigureAwait(false);
        return found.Count == 1 ? Pending(found[0]) : null;
    }

    private DateTimeOffset Since() => _time.GetUtcNow() - _pendingWindow;

    private static bool After(string id, string? cursor) => cursor is null || string.CompareOrdinal(id, cursor) > 0;

    /// <summary>The queue entry of a message the index calls pending: its recipients still to settle, the latest reply any of them had.</summary>
    private static QueueEntry? Pending(PendingMessage pending)
    {
        var recipients = new List<EnvelopeRecipient>();
        IndexedRecipient? latest = null;
        var held = true;
        foreach (var r in pending.Message.Recipients)
        {
            if (r.IsPending)
            {
                recipients.Add(new EnvelopeRecipient(r.Address));
                latest = latest is null || r.UpdatedAt > latest.UpdatedAt ? r : latest;
                held &= r.State == EventNames.HeldState;
            }
        }

        if (recipients.Count == 0)
        {
            return null;
        }

        var m = pending.Message;
        var state = held ? QueueMessageState.Held : QueueMessageState.Queued;
        return new QueueEntry(new MessageId(m.Id), new Envelope(m.Sender, recipients, Tags: m.Tags), m.Size, m.ReceivedAt, state, pending.Attempts, default, latest?.Reply);
    }
}
