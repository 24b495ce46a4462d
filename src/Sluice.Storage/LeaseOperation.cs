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
    private const string Sql =
        "UPDATE messages SET state = 1 WHERE seq IN (" +
        "SELECT seq FROM messages WHERE state = 0 AND next_attempt <= $now ORDER BY next_attempt LIMIT $max) RETURNING " + SpoolRows.Columns;

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var command = statements.Get(Sql, ("$now", SqliteType.Integer), ("$max", SqliteType.Integer));
        command.Parameters[0].Value = nowMs;
        command.Parameters[1].Value = max;
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
