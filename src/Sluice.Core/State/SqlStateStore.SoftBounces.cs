using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    public async Task<int> RecordSoftBounceAsync(string address, DateTimeOffset at, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var lower = address.ToLowerInvariant();
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Every address's records older than the window go (indexed by time): the table holds one window.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM soft_bounces WHERE at < @since",
            new { since = Millis(since) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO soft_bounces (address, at) VALUES (@address, @at)",
            new { address = lower, at = Millis(at) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM soft_bounces WHERE address = @address",
            new { address = lower },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (int)count;
    }

    public async Task ClearSoftBouncesAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM soft_bounces WHERE address = @address",
            new { address = address.ToLowerInvariant() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
