using System.Data.Common;

namespace Sluice.Core.State;

/// <summary>
/// The state store in plain SQL through Dapper (ADR 0012), one implementation for both databases:
/// the embedded SQLite <c>state.db</c> of a single node and PostgreSQL in a cluster (ADR 0032).
/// Every statement is written in the SQL both understand (upserts with <c>ON CONFLICT</c>, row
/// values, times as Unix milliseconds); what differs — schema, connection, announcing changes to
/// other nodes — is given by the database that opens it.
/// </summary>
public sealed partial class SqlStateStore : IApiKeyStore, IIdempotencyStore, ISuppressionStore, ITemplateStore, ISoftBounceLedger
{
    private readonly Func<CancellationToken, ValueTask<DbConnection>> _open;
    private readonly StateAnnouncer? _announce;

    /// <param name="open">Opens a connection to a database whose schema is in place.</param>
    /// <param name="announce">Tells other nodes about a change, inside its transaction; null on a single node.</param>
    public SqlStateStore(Func<CancellationToken, ValueTask<DbConnection>> open, StateAnnouncer? announce = null)
    {
        _open = open;
        _announce = announce;
    }

    private Task<int> WriteAsync(Func<DbConnection, DbTransaction, Task<int>> write, StateChange change, CancellationToken cancellationToken)
        => WriteAsync(write, [change], cancellationToken);

    /// <summary>Runs <paramref name="write"/> in a transaction that also announces <paramref name="changes"/>, when it changed something.</summary>
    private async Task<int> WriteAsync(Func<DbConnection, DbTransaction, Task<int>> write, IReadOnlyList<StateChange> changes, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await write(connection, transaction).ConfigureAwait(false);
        if (changed > 0 && _announce is not null)
        {
            foreach (var change in changes)
            {
                await _announce(connection, transaction, change, cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    private static long Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static DateTimeOffset At(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);
}
