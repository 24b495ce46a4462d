using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Inserts a message row, its distinct destination domains and its body (a segment file for a large one, else a blob).</summary>
internal sealed class EnqueueOperation(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content)
    : SpoolOperation<EnqueueResult>
{
    public override long Bytes => content.Length;

    public MessageId Id => id;

    public MessageBuffer Content => content;

    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs, BodySegments bodies)
    {
        var receivedMs = receivedAt.ToUnixTimeMilliseconds();
        BodyLocation? location = bodies.Holds(content.Length) ? bodies.Append(content) : null;
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO messages (id, received_at, sender, envelope, size, state, attempts, next_attempt, body_segment, body_offset) " +
            "VALUES ($id, $received, $sender, $envelope, $size, 0, 0, $received, $segment, $offset) RETURNING seq";
        insert.Parameters.AddWithValue("$id", id.Value);
        insert.Parameters.AddWithValue("$received", receivedMs);
        insert.Parameters.AddWithValue("$sender", envelope.Sender);
        insert.Parameters.AddWithValue("$envelope", JsonSerializer.Serialize(envelope, SpoolJsonContext.Default.Envelope));
        insert.Parameters.AddWithValue("$size", content.Length);
        insert.Parameters.AddWithValue("$segment", (object?)location?.Segment ?? DBNull.Value);
        insert.Parameters.AddWithValue("$offset", (object?)location?.Offset ?? DBNull.Value);
        var seq = (long)insert.ExecuteScalar()!;
        if (location is null)
        {
            BodyRows.Insert(connection, transaction, seq, content.Length, content.CopyTo);
        }

        InsertDomains(connection, transaction, seq);
        Result = EnqueueResult.Stored;
    }

    private void InsertDomains(SqliteConnection connection, SqliteTransaction transaction, long seq)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var domain = connection.CreateCommand();
        domain.Transaction = transaction;
        domain.CommandText = "INSERT INTO message_domains (seq, domain) VALUES ($seq, $domain)";
        var seqParameter = domain.Parameters.Add("$seq", SqliteType.Integer);
        var domainParameter = domain.Parameters.Add("$domain", SqliteType.Text);
        seqParameter.Value = seq;
        foreach (var recipient in envelope.Recipients)
        {
            if (seen.Add(recipient.Domain))
            {
                domainParameter.Value = recipient.Domain;
                domain.ExecuteNonQuery();
            }
        }
    }

    protected override EnqueueResult FailedResult(EnqueueResult reason) => reason;
}
