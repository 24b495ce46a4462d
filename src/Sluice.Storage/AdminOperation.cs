using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>An operator's bulk change (flush or delete by filter), applied in the writer's transaction.</summary>
internal sealed class AdminOperation(AdminKind kind, QueueFilter filter, bool dryRun) : SpoolOperation<long>
{
    public long Removed { get; private set; }

    public override void Execute(SqliteConnection connection, SqliteTransaction transaction, long nowMs, BodySegments bodies)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var where = FilterSql.Where(filter, command);
        command.CommandText = (kind, dryRun) switch
        {
            (AdminKind.Flush, _) => $"UPDATE messages AS m SET next_attempt = $now WHERE m.state = 0 AND {where}",
            (AdminKind.Delete, true) => $"SELECT COUNT(*) FROM messages AS m WHERE m.state <> 1 AND {where}",
            _ => $"DELETE FROM messages AS m WHERE m.state <> 1 AND {where} RETURNING body_segment",
        };
        command.Parameters.AddWithValue("$now", nowMs);
        Result = (kind, dryRun) switch
        {
            (AdminKind.Flush, _) => command.ExecuteNonQuery(),
            (_, true) => (long)command.ExecuteScalar()!,
            _ => DeleteReleasing(command, bodies),
        };
        Removed = kind == AdminKind.Delete && !dryRun ? Result : 0;
    }

    private static long DeleteReleasing(SqliteCommand command, BodySegments bodies)
    {
        long deleted = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            deleted++;
            if (!reader.IsDBNull(0))
            {
                bodies.Release(reader.GetInt64(0));
            }
        }

        return deleted;
    }

    protected override long FailedResult(EnqueueResult reason) => -1;
}
