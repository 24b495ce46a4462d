using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>An operator's bulk change (flush or delete by filter), applied in the writer's transaction.</summary>
internal sealed class AdminOperation(AdminKind kind, QueueFilter filter, bool dryRun) : SpoolOperation<long>
{
    public long Removed { get; private set; }

    public override void Reset() => Removed = 0;

    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        // An operator's rare bulk change with its own filter: a command of its own, not one to keep.
        using var command = statements.Connection.CreateCommand();
        command.Transaction = statements.Transaction;
        var where = FilterSql.Where(filter, command);
        command.Parameters.AddWithValue("$now", nowMs);
        switch (kind, dryRun)
        {
            case (AdminKind.Flush, _):
                command.CommandText = $"UPDATE messages AS m SET next_attempt = $now, state = 0, held_for = NULL WHERE m.state IN (0, 3) AND {where}";
                Result = command.ExecuteNonQuery();
                break;
            case (_, true):
                command.CommandText = $"SELECT COUNT(*) FROM messages AS m WHERE m.state <> 1 AND {where}";
                Result = (long)command.ExecuteScalar()!;
                break;
            default:
                // Each removed row that pointed into a segment gives it back (ADR 0013).
                command.CommandText = $"DELETE FROM messages AS m WHERE m.state <> 1 AND {where} RETURNING body_segment";
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        Removed++;
                        if (!reader.IsDBNull(0))
                        {
                            bodies.Release(reader.GetInt64(0));
                        }
                    }
                }

                Result = Removed;
                break;
        }
    }

    protected override long FailedResult(EnqueueResult reason) => -1;
}
