namespace Sluice.Core.Events;

/// <summary>
/// The message index: every event, every message with its recipients' states, and counts per hour,
/// sending domain and tag. Embedded in SQLite on one node (PostgreSQL in cluster mode). Fed by the
/// delivery event log as an <see cref="IEventSink"/>; what it answers lags the events by its batch
/// interval.
/// </summary>
public interface IMessageIndex
{
    Task<IndexedMessage?> GetAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Messages with recipients still to settle: what a queue listing shows of mail a broker holds (a broker cannot be browsed).</summary>
    Task<IReadOnlyList<PendingMessage>> PendingAsync(PendingQuery query, CancellationToken cancellationToken);

    /// <summary>The events of one message, oldest first.</summary>
    Task<IReadOnlyList<DeliveryEvent>> TimelineAsync(string messageId, CancellationToken cancellationToken);

    Task<MessagePage> SearchAsync(MessageQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<StatsRow>> StatsAsync(StatsQuery query, CancellationToken cancellationToken);

    /// <summary>The most frequent classifications of events of <paramref name="type"/> in a time range.</summary>
    Task<IReadOnlyList<ReasonCount>> TopReasonsAsync(DeliveryEventType type, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/> whose type bit is in
    /// <paramref name="typeMask"/>, and the sequence number up to which the index was read (past the
    /// last event returned when fewer than the limit matched), so a cursor moves on over events no
    /// subscriber wants.
    /// </summary>
    Task<(IReadOnlyList<IndexedEvent> Events, long ReadTo)> ReadAfterAsync(long after, int typeMask, int limit, CancellationToken cancellationToken);

    /// <summary>The sequence number of the newest indexed event (0 when none).</summary>
    Task<long> LastSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Completes once every event handed to the index before the call is committed (read-your-writes for one node).</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Completes when events newer than <paramref name="after"/> are indexed, or when cancelled.</summary>
    Task WaitForEventsAsync(long after, CancellationToken cancellationToken);
}
