using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>
/// Marks up to N due messages in flight. A lease has no end time: the node owns its spool alone,
/// so a leased message is this process's until it is settled, and the next open releases what a
/// dead process held (ADR 0014). Finding fewer than asked, it tells the <see cref="FreshLane"/>
/// the room left (new messages may be stored leased into it) and when the next waiting message is due.
/// </summary>
internal sealed class LeaseOperation(int max, FreshLane lane) : SpoolOperation<IReadOnlyList<QueueEntry>>
{
    private const string Sql =
        "UPDATE messages SET state = 1 WHERE seq IN (" +
        "SELECT seq FROM messages WHERE state = 0 AND next_attempt <= $now ORDER BY next_attempt LIMIT $max) RETURNING " + SpoolRows.Columns;

    // The (state, next_attempt) index answers it from its first entry for state 0.
    private const string NextDueSql = "SELECT MIN(next_attempt) FROM messages WHERE state = 0";

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var command = statements.Get(Sql, ("$now", SqliteType.Integer), ("$max", SqliteType.Integer));
        command.Parameters[0].Value = nowMs;
        command.Parameters[1].Value = max;
        var leased = new List<QueueEntry>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                leased.Add(SpoolRows.Read(reader));
            }
        }

        if (leased.Count < max)
        {
            var next = statements.Get(NextDueSql).ExecuteScalar();
            lane.NothingDueBefore(next is long due ? due : long.MaxValue);
            lane.SetRoom(max - leased.Count);
        }
        else
        {
            lane.Forget();
        }

        Result = leased;
    }

    /// <summary>Rolled back (every failed batch is reset before it is retried or failed): the messages it marked wait again, and what it learned of the queue is void.</summary>
    public override void Reset() => lane.Forget();

    protected override IReadOnlyList<QueueEntry> FailedResult(EnqueueResult reason) => [];
}
