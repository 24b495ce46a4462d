using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>
/// The node's message queue: the one seam between the delivery engine and where messages are kept
/// (ADR 0014). Its semantics are those a broker can also give, so the embedded spool and a
/// RabbitMQ backend are interchangeable:
/// <list type="bullet">
/// <item><see cref="IMessageStore.EnqueueAsync"/> completes only once the message is durable; a failure is a value, never a silent loss.</item>
/// <item>Delivery is at-least-once: <see cref="LeaseAsync"/> hands out due messages, owned by this consumer until it settles
/// them (ack, defer, hold, dead-letter) or dies; a dead consumer's messages are due again (the embedded spool: at the next open).</item>
/// <item>Attempts, next attempt and last reply are kept with the message; holding a message changes neither.</item>
/// <item><see cref="WaitForWorkAsync"/> is the engine's only wake-up: whatever makes messages due early signals it.</item>
/// </list>
/// </summary>
public interface IMessageQueue : IMessageStore
{
    /// <summary>Leases up to <paramref name="max"/> due messages, oldest due first. They belong to the caller until settled.</summary>
    ValueTask<IReadOnlyList<QueueEntry>> LeaseAsync(int max, CancellationToken cancellationToken);

    /// <summary>Delivered (or otherwise finished): the message leaves the queue.</summary>
    ValueTask<bool> AckAsync(MessageId id, CancellationToken cancellationToken);

    /// <summary>
    /// Not now: due again at <paramref name="until"/>, one more attempt counted. With
    /// <paramref name="remaining"/>, the envelope is replaced (recipients already delivered or bounced are gone).
    /// </summary>
    ValueTask<bool> DeferAsync(MessageId id, DateTimeOffset until, string? lastReply, Envelope? remaining, CancellationToken cancellationToken);

    /// <summary>
    /// Not attempted, and not to be leased again until <see cref="ReleaseHeldAsync"/> names
    /// <paramref name="holdKey"/> (its destination is suspended, resting, or has enough waiting):
    /// attempts and next attempt stay as they are. With <paramref name="remaining"/>, the envelope is replaced.
    /// </summary>
    ValueTask<bool> HoldAsync(MessageId id, string holdKey, Envelope? remaining, CancellationToken cancellationToken);

    /// <summary>Makes up to <paramref name="max"/> messages held under <paramref name="holdKey"/> leasable again (oldest first); returns how many.</summary>
    ValueTask<long> ReleaseHeldAsync(string holdKey, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Some recipients of a message in hand were delivered before it is settled (one domain of
    /// several, say): a queue shared by several consumers records them durably, so that the message,
    /// redelivered after this consumer died, skips them. The embedded spool, whose only consumer is
    /// the node itself, needs no record.
    /// </summary>
    ValueTask RecordDeliveredAsync(MessageId id, IReadOnlyList<EnvelopeRecipient> recipients, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Whether <see cref="RecordDeliveredAsync"/> keeps anything (the engine builds no list for a queue that does not).</summary>
    bool RecordsDelivered => false;

    /// <summary>Given up on: kept for inspection, never leased again.</summary>
    ValueTask<bool> DeadLetterAsync(MessageId id, string? lastReply, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when messages may have become due (something was enqueued, flushed or released),
    /// or after <paramref name="timeout"/>: the engine's wake-up, whatever the backend.
    /// </summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The exact bytes stored for the message, or null if it is not in the queue.</summary>
    ValueTask<Stream?> OpenContentAsync(MessageId id, CancellationToken cancellationToken);

    ValueTask<QueueEntry?> GetAsync(MessageId id, CancellationToken cancellationToken);

    ValueTask<QueueSummary> GetSummaryAsync(CancellationToken cancellationToken);

    /// <summary>Pages through the queue in id (reception) order; <paramref name="cursor"/> is the last id of the previous page.</summary>
    ValueTask<QueuePage> ListAsync(int limit, string? cursor, CancellationToken cancellationToken)
        => ListAsync(limit, cursor, QueueFilter.All, cancellationToken);

    ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken);

    /// <summary>Makes matching queued or held messages due now (retry now); returns how many.</summary>
    ValueTask<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken);

    /// <summary>Removes matching messages (not those in flight); with <paramref name="dryRun"/> only counts them.</summary>
    ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken);

    /// <summary>
    /// Hands each matching message that is not in flight to <paramref name="settle"/> with its exact
    /// bytes, one at a time; each one it returns true for is removed (after it returned: what it
    /// stored on the message's behalf, a bounce notice, is durable first); false leaves the message
    /// and ends the pass. Returns how many were removed. The operator's bounce and delete act through it, so they see every message they
    /// touch. The embedded spool takes a snapshot of the matching ids first (so what
    /// <paramref name="settle"/> queues is not caught by the same filter); a broker takes the
    /// messages that wait (deferred, held, dead-lettered) in one pass.
    /// </summary>
    async ValueTask<long> SettleWaitingAsync(QueueFilter filter, Func<QueueEntry, Stream, ValueTask<bool>> settle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settle);
        var targets = new List<QueueEntry>();
        string? cursor = null;
        do
        {
            var page = await ListAsync(500, cursor, filter, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Items)
            {
                if (entry.State != QueueMessageState.InFlight)
                {
                    targets.Add(entry);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        long removed = 0;
        foreach (var entry in targets)
        {
            bool settled;
            await using (var content = await OpenContentAsync(entry.Id, cancellationToken).ConfigureAwait(false) ?? Stream.Null)
            {
                settled = await settle(entry, content).ConfigureAwait(false);
            }

            if (!settled)
            {
                break;
            }

            removed += await DeleteAsync(new QueueFilter(entry.Id), dryRun: false, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>Can the queue take writes right now (readiness)?</summary>
    ValueTask<bool> IsWritableAsync(CancellationToken cancellationToken);
}
