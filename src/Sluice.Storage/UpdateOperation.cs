using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Ack (delete), defer (next attempt, one more attempt), hold (no attempt, until released) or dead-letter one message.</summary>
internal sealed class UpdateOperation(UpdateKind kind, MessageId id, long untilMs, string? lastReply, Envelope? remaining = null, string? holdKey = null) : SpoolOperation<bool>
{
    public bool IsAck => kind == UpdateKind.Ack;

    public MessageId Id => id;

    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs, BodySegments bodies)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        const string Returning = " RETURNING seq, body_segment, body_offset, size";
        command.CommandText = kind switch
        {
            // Bodies and domains go with the row (ON DELETE CASCADE).
            UpdateKind.Ack => "DELETE FROM messages WHERE id = $id" + Returning,
            UpdateKind.Defer => "UPDATE messages SET state = 0, lease_until = NULL, attempts = attempts + 1, next_attempt = $until, last_reply = $reply WHERE id = $id AND state <> 2" + Returning,
            UpdateKind.Hold => "UPDATE messages SET state = 3, lease_until = NULL, held_for = $hold WHERE id = $id AND state = 1" + Returning,
            _ => "UPDATE messages SET state = 2, lease_until = NULL, attempts = attempts + 1, last_reply = $reply WHERE id = $id" + Returning,
        };
        command.Parameters.AddWithValue("$id", id.Value);
        command.Parameters.AddWithValue("$until", untilMs);
        command.Parameters.AddWithValue("$reply", (object?)lastReply ?? DBNull.Value);
        if (kind == UpdateKind.Hold)
        {
            command.Parameters.AddWithValue("$hold", holdKey);
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
                MoveIntoDatabase(connection, transaction, bodies, seq, segmentBody, size);
            }
        }

        if (Result && remaining is not null)
        {
            ReplaceEnvelope(connection, transaction, remaining);
        }
    }

    /// <summary>
    /// Copies a body from its segment into the database row <paramref name="seq"/>, points the
    /// message there and releases the segment. A segment file that is gone (removed by hand) is left
    /// as it is rather than failing the whole batch, again and again, over one message.
    /// </summary>
    private static void MoveIntoDatabase(SqliteConnection connection, SqliteTransaction transaction, BodySegments bodies, long seq, BodyLocation location, long length)
    {
        using (var source = bodies.OpenRead(location, length))
        {
            if (source is null)
            {
                return;
            }

            BodyRows.Insert(connection, transaction, seq, length, blob => source.CopyTo(blob, Core.Messages.MessageBuffer.BlockSize));
        }

        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE messages SET body_segment = NULL, body_offset = NULL WHERE seq = $seq";
        update.Parameters.AddWithValue("$seq", seq);
        update.ExecuteNonQuery();
        bodies.Release(location.Segment);
    }

    private void ReplaceEnvelope(SqliteConnection connection, SqliteTransaction transaction, Envelope envelope)
    {
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText =
            "UPDATE messages SET envelope = $envelope WHERE id = $id;" +
            "DELETE FROM message_domains WHERE seq = (SELECT seq FROM messages WHERE id = $id);";
        update.Parameters.AddWithValue("$id", id.Value);
        update.Parameters.AddWithValue("$envelope", System.Text.Json.JsonSerializer.Serialize(envelope, SpoolJsonContext.Default.Envelope));
        update.ExecuteNonQuery();
        using var domains = connection.CreateCommand();
        domains.Transaction = transaction;
        domains.CommandText = "INSERT OR IGNORE INTO message_domains (seq, domain) SELECT seq, $domain FROM messages WHERE id = $id";
        domains.Parameters.AddWithValue("$id", id.Value);
        var domain = domains.Parameters.Add("$domain", SqliteType.Text);
        foreach (var recipient in envelope.Recipients)
        {
            domain.Value = recipient.Domain;
            domains.ExecuteNonQuery();
        }
    }

    protected override bool FailedResult(EnqueueResult reason) => false;
}
