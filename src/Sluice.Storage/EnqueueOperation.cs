using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>
/// Inserts a message row, its distinct destination domains and its body (a segment file for a large
/// one, else a blob). When the engine has room (<see cref="FreshLane"/>), the row is stored already
/// leased and, once committed, its entry goes to the engine without a lease statement.
/// </summary>
internal sealed class EnqueueOperation(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, FreshLane lane, IDurableNotice? notice = null)
    : SpoolOperation<EnqueueResult>
{
    private bool _leased;

    public override long Bytes => content.Length;

    public MessageId Id => id;

    public MessageBuffer Content => content;

    /// <summary>Whom to tell, on the writer thread, that the message is durable (before <see cref="SpoolOperation.Commit"/>).</summary>
    public IDurableNotice? Notice => notice;

    /// <summary>After the commit: the entry to hand to the engine, if the message was stored leased.</summary>
    public QueueEntry? Leased => _leased
        ? new QueueEntry(id, envelope, content.Length, receivedAt, QueueMessageState.InFlight, 0, receivedAt, null)
        : null;

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var receivedMs = receivedAt.ToUnixTimeMilliseconds();
        BodyLocation? location = bodies.Holds(content.Length) ? bodies.Append(content) : null;
        _leased = lane.TryTakeRoom();
        if (!_leased)
        {
            lane.DueAt(receivedMs);
        }

        var insert = statements.Get(
            "INSERT INTO messages (id, received_at, sender, envelope, size, state, attempts, next_attempt, body_segment, body_offset) " +
            "VALUES ($id, $received, $sender, $envelope, $size, $state, 0, $received, $segment, $offset) RETURNING seq",
            ("$id", SqliteType.Text),
            ("$received", SqliteType.Integer),
            ("$sender", SqliteType.Text),
            ("$envelope", SqliteType.Text),
            ("$size", SqliteType.Integer),
            ("$segment", SqliteType.Integer),
            ("$offset", SqliteType.Integer),
            ("$state", SqliteType.Integer));
        var p = insert.Parameters;
        p[0].Value = id.Value;
        p[1].Value = receivedMs;
        p[2].Value = envelope.Sender;
        p[3].Value = JsonSerializer.Serialize(envelope, Core.Messages.EnvelopeJson.Default.Envelope);
        p[4].Value = content.Length;
        p[5].Value = (object?)location?.Segment ?? DBNull.Value;
        p[6].Value = (object?)location?.Offset ?? DBNull.Value;
        p[7].Value = _leased ? (int)QueueMessageState.InFlight : (int)QueueMessageState.Queued;
        var seq = (long)insert.ExecuteScalar()!;
        if (location is null)
        {
            BodyRows.Insert(statements, seq, content.Length, content.CopyTo);
        }

        InsertDomains(statements, seq);
        Result = EnqueueResult.Stored;
    }

    private void InsertDomains(SpoolStatements statements, long seq)
    {
        var domain = statements.Get("INSERT OR IGNORE INTO message_domains (seq, domain) VALUES ($seq, $domain)", ("$seq", SqliteType.Integer), ("$domain", SqliteType.Text));
        domain.Parameters[0].Value = seq;
        string? previous = null;
        foreach (var recipient in envelope.Recipients)
        {
            // OR IGNORE drops a domain already inserted; the common case (one domain, or recipients grouped by it) skips the statement.
            if (!string.Equals(previous, recipient.Domain, StringComparison.Ordinal))
            {
                previous = recipient.Domain;
                domain.Parameters[1].Value = recipient.Domain;
                domain.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The batch is tried again, or not at all: room taken for a row that was rolled back is free again.</summary>
    public override void Reset()
    {
        if (_leased)
        {
            _leased = false;
            lane.ReturnRoom();
        }
    }

    protected override EnqueueResult FailedResult(EnqueueResult reason) => reason;
}
