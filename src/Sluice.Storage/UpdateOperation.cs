using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Ack (delete), defer (next attempt, one more attempt), hold (no attempt, until released) or dead-letter one message.</summary>
internal sealed class UpdateOperation(UpdateKind kind, MessageId id, long untilMs, string? lastReply, Envelope? remaining = null, string? holdKey = null) : SpoolOperation<bool>
{
    public bool IsAck => kind == UpdateKind.Ack;

    public MessageId Id => id;

    /// <summary>When the message it deferred is due again; null for any other change, or when nothing was deferred.</summary>
    public long? DueAtMs => kind == UpdateKind.Defer && Result ? untilMs : null;

    private const string Returning = " RETURNING seq, body_segment, body_offset, size";

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var command = kind switch
        {
            // Bodies and domains go with the row (ON DELETE CASCADE).
            UpdateKind.Ack => statements.Get("DELETE FROM messages WHERE id = $id" + Returning, ("$id", SqliteType.Text)),
            UpdateKind.Defer => statements.Get(
                "UPDATE messages SET state = 0, lease_until = NULL, attempts = attempts + 1, next_attempt = $until, last_reply = $reply WHERE id = $id AND state <> 2" + Returning,
                ("$id", SqliteType.Text),
                ("$until", SqliteType.Integer),
                ("$reply", SqliteType.Text)),
            UpdateKind.Hold => statements.Get(
                "UPDATE messages SET state = 3, lease_until = NULL, held_for = $hold WHERE id = $id AND state = 1" + Returning,
                ("$id", SqliteType.Text),
                ("$hold", SqliteType.Text)),
            _ => statements.Get(
                "UPDATE messages SET state = 2, lease_until = NULL, attempts = attempts + 1, last_reply = $reply WHERE id = $id" + Returning,
                ("$id", SqliteType.Text),
                ("$reply", SqliteType.Text)),
        };
        var p = command.Parameters;
        p[0].Value = id.Value;
        switch (kind)
        {
            case UpdateKind.Defer:
                p[1].Value = untilMs;
                p[2].Value = (object?)lastReply ?? DBNull.Value;
                break;
            case UpdateKind.Hold:
                p[1].Value = holdKey;
                break;
            case UpdateKind.DeadLetter:
                p[1].Value = (object?)lastReply ?? DBNull.Value;
                break;
        }
        long seq = 0, size = 0;
        BodyLocation? location = null;
        using (var reader = command.ExecuteReader())
        {
            Result = reader.Read();
            if (Result)
            {
                seq = reader.GetInt64(0);
                size = reader.GetInt64(3);
                location = reader.IsDBNull(1) ? null : new BodyLocation(reader.GetInt64(1), reader.GetInt64(2));
            }
        }

        if (location is { } segmentBody)
        {
            // A segment holds bodies awaiting their first attempt only: one that stays queued (retry,
            // hold, dead letter) moves into the database, so a long-lived message never pins a whole segment.
            // Within the batch's budget only: the copy takes the body's size twice (WAL and database)
            // before the segment can go, and a full disk must not come from bookkeeping.
            if (kind == UpdateKind.Ack)
            {
                bodies.Release(segmentBody.Segment);
            }
            else if (bodies.TakeMoveBudget(size))
            {
                MoveIntoDatabase(statements, bodies, seq, segmentBody, size);
            }
        }

        if (Result && remaining is not null)
        {
            ReplaceEnvelope(statements, remaining);
        }
    }

    /// <summary>
    /// Copies a body from its segment into the database row <paramref name="seq"/>, points the
    /// message there and releases the segment. A segment file that is gone (removed by hand) is left
    /// as it is rather than failing the whole batch, again and again, over one message.
    /// </summary>
    private static void MoveIntoDatabase(SpoolStatements statements, BodySegments bodies, long seq, BodyLocation location, long length)
    {
        using (var source = bodies.OpenRead(location, length))
        {
            if (source is null)
            {
                return;
            }

            BodyRows.Insert(statements, seq, length, blob => source.CopyTo(blob, Core.Messages.MessageBuffer.BlockSize));
        }

        var update = statements.Get("UPDATE messages SET body_segment = NULL, body_offset = NULL WHERE seq = $seq", ("$seq", SqliteType.Integer));
        update.Parameters[0].Value = seq;
        update.ExecuteNonQuery();
        bodies.Release(location.Segment);
    }

    private void ReplaceEnvelope(SpoolStatements statements, Envelope envelope)
    {
        var update = statements.Get(
            "UPDATE messages SET envelope = $envelope WHERE id = $id;" +
            "DELETE FROM message_domains WHERE seq = (SELECT seq FROM messages WHERE id = $id);",
            ("$id", SqliteType.Text),
            ("$envelope", SqliteType.Text));
        update.Parameters[0].Value = id.Value;
        update.Parameters[1].Value = System.Text.Json.JsonSerializer.Serialize(envelope, Core.Messages.EnvelopeJson.Default.Envelope);
        update.ExecuteNonQuery();
        var domains = statements.Get(
            "INSERT OR IGNORE INTO message_domains (seq, domain) SELECT seq, $domain FROM messages WHERE id = $id",
            ("$id", SqliteType.Text),
            ("$domain", SqliteType.Text));
        domains.Parameters[0].Value = id.Value;
        foreach (var recipient in envelope.Recipients)
        {
            domains.Parameters[1].Value = recipient.Domain;
            domains.ExecuteNonQuery();
        }
    }

    protected override bool FailedResult(EnqueueResult reason) => false;
}
