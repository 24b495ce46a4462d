using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Marks up to N due messages in flight until the lease ends; expired leases count as due.</summary>
internal sealed class LeaseOperation(int max, TimeSpan leaseDuration) : SpoolOperation<IReadOnlyList<QueueEntry>>
{
    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs, BodySegments bodies)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Two index range scans, each cut at $max, then merged: an OR over both states would scan the table.
        command.CommandText =
            "UPDATE messages SET state = 1, lease_until = $until WHERE seq IN (" +
            "SELECT seq FROM (" +
            "SELECT seq, due FROM (SELECT seq, next_attempt AS due FROM messages WHERE state = 0 AND next_attempt <= $now ORDER BY next_attempt LIMIT $max) " +
            "UNION ALL " +
            "SELECT seq, due FROM (SELECT seq, lease_until AS due FROM messages WHERE state = 1 AND lease_until <= $now ORDER BY lease_until LIMIT $max)) " +
            "ORDER BY due LIMIT $max) RETURNING " + SpoolRows.Columns;
        command.Parameters.AddWithValue("$until", nowMs + (long)leaseDuration.TotalMilliseconds);
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
