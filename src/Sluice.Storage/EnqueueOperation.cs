using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Inserts a message row, its distinct destination domains and its body (streamed into a blob).</summary>
internal sealed class EnqueueOperation(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content)
    : SpoolOperation<EnqueueResult>
{
    public override long Bytes => content.Length;

    public MessageId Id => id;

    public MessageBuffer Content => content;

    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs)
    {
        var receivedMs = receivedAt.ToUnixTimeMilliseconds();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO messages (id, received_at, sender, envelope, size, state, attempts, next_attempt) " +
            "VALUES ($id, $received, $sender, $envelope, $size, 0, 0, $received) RETURNING seq";
        insert.Parameters.AddWithValue("$id", id.Value);
        insert.Parameters.AddWithValue("$received", receivedMs);
        insert.Parameters.AddWithValue("$sender", envelope.Sender);
        insert.Parameters.AddWithValue("$envelope", JsonSerializer.Serialize(envelope, SpoolJsonContext.Default.Envelope));
        insert.Parameters.AddWithValue("$size", content.Length);
        var seq = (long)insert.ExecuteScalar()!;

        using var body = connection.CreateCommand();
        body.Transaction = transaction;
        body.CommandText = "INSERT INTO bodies (seq, data) VALUES ($seq, zeroblob($size))";
        body.Parameters.AddWithValue("$seq", seq);
        body.Parameters.AddWithValue("$size", content.Length);
        body.ExecuteNonQuery();
        if (content.Length > 0)
        {
            using var blob = new SqliteBlob(connection, "bodies", "data", seq);
            content.CopyTo(blob);
        }

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

        Result = EnqueueResult.Stored;
    }

    protected override EnqueueResult FailedResult(EnqueueResult reason) => reason;
}
