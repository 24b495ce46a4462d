using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>
/// Marks up to N due messages in flight. A lease has no end time: the node owns its spool alone,
/// so a leased message is this process's until it is settled, and the next open releases what a
/// dead process held (ADR 0014).
/// </summary>
internal sealed class LeaseOperation(int max) : SpoolOperation<IReadOnlyList<QueueEntry>>
{
    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs, BodySegments bodies)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "UPDATE messages SET state = 1 WHERE seq IN (" +
            "SELECT seq FROM messages WHERE state = 0 AND next_attempt <= $now ORDER BY next_attempt LIMIT $max) RETURNING " + SpoolRows.Columns;
        command.Parameters.AddWithValue("$now", nowMs);
        command.Parameters.AddWithValue("$max", max);
        var leased = new List<QueueEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            leased.Add(SpoolRows.Read(reader));
        }

        Result = leased;
    }

    protected override IReadOnlyList<QueueEntry> FailedResult(EnqueueResult reason) => [];
}
