using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Ack (delete), defer (next attempt, one more attempt) or dead-letter one message.</summary>
internal sealed class UpdateOperation(UpdateKind kind, MessageId id, long untilMs, string? lastReply) : SpoolOperation<bool>
{
    public bool IsAck => kind == UpdateKind.Ack;

    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = kind switch
        {
            // Bodies and domains go with the row (ON DELETE CASCADE).
            UpdateKind.Ack => "DELETE FROM messages WHERE id = $id",
            UpdateKind.Defer => "UPDATE messages SET state = 0, lease_until = NULL, attempts = attempts + 1, next_attempt = $until, last_reply = $reply WHERE id = $id AND state <> 2",
            _ => "UPDATE messages SET state = 2, lease_until = NULL, attempts = attempts + 1, last_reply = $reply WHERE id = $id",
        };
        command.Parameters.AddWithValue("$id", id.Value);
        command.Parameters.AddWithValue("$until", untilMs);
        command.Parameters.AddWithValue("$reply", (object?)lastReply ?? DBNull.Value);
        Result = command.ExecuteNonQuery() == 1;
    }

    protected override bool FailedResult(EnqueueResult reason) => false;
}
