using Dapper;
using Sluice.Core.State;

namespace Sluice.Storage.State;

public sealed partial class SqliteStateStore
{
    public async Task<int> RecordSoftBounceAsync(string address, DateTimeOffset at, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Every address's records older than the window go (indexed by time): the table holds one window.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM soft_bounces WHERE at < @since; INSERT INTO soft_bounces (address, at) VALUES (@address, @at)",
            new { address, at = at.ToUnixTimeMilliseconds(), since = since.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM soft_bounces WHERE address = @address",
            new { address },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public async Task ClearSoftBouncesAsync(string address, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM soft_bounces WHERE address = @address", new { address }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
