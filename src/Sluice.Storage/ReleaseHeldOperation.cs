using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Makes up to N messages held under one key leasable again, oldest first; their due time and attempts are as they were.</summary>
internal sealed class ReleaseHeldOperation(string holdKey, int max) : SpoolOperation<long>
{
    public override void Execute(SpoolStatements statements, long nowMs, BodySegments bodies)
    {
        var command = statements.Get(
            "UPDATE messages SET state = 0, held_for = NULL WHERE seq IN (" +
            "SELECT seq FROM messages WHERE state = 3 AND held_for = $key ORDER BY seq LIMIT $max)",
            ("$key", SqliteType.Text),
            ("$max", SqliteType.Integer));
        command.Parameters[0].Value = holdKey;
        command.Parameters[1].Value = max;
        Result = command.ExecuteNonQuery();
    }

    protected override long FailedResult(EnqueueResult reason) => -1;
}
