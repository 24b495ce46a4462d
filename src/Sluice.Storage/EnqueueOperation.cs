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

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var receivedMs = receivedAt.ToUnixTimeMilliseconds();
        BodyLocation? location = bodies.Holds(content.Length) ? bodies.Append(content) : null;
        var insert = statements.Get(
            "INSERT INTO messages (id, received_at, sender, envelope, size, state, attempts, next_attempt, body_segment, body_offset) " +
            "VALUES ($id, $received, $sender, $envelope, $size, 0, 0, $received, $segment, $offset) RETURNING seq",
            ("$id", SqliteType.Text),
            ("$received", SqliteType.Integer),
            ("$sender", SqliteType.Text),
            ("$envelope", SqliteType.Text),
            ("$size", SqliteType.Integer),
            ("$segment", SqliteType.Integer),
            ("$offset", SqliteType.Integer));
        var p = insert.Parameters;
        p[0].Value = id.Value;
        p[1].Value = receivedMs;
        p[2].Value = envelope.Sender;
        p[3].Value = JsonSerializer.Serialize(envelope, Core.Messages.EnvelopeJson.Default.Envelope);
        p[4].Value = content.Length;
        p[5].Value = (object?)location?.Segment ?? DBNull.Value;
        p[6].Value = (object?)location?.Offset ?? DBNull.Value;
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

    protected override EnqueueResult FailedResult(EnqueueResult reason) => reason;
}
