using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore : ISuspensionStore
{
    public Task SuspendAsync(string destination, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var lower = destination.ToLowerInvariant();
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO suspensions_of_destinations (destination, until) VALUES (@lower, @until) ON CONFLICT (destination) DO UPDATE SET until = excluded.until",
                new { lower, until = Millis(until) },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.Suspension, lower),
            cancellationToken);
    }

    public async Task<bool> ResumeAsync(string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var lower = destination.ToLowerInvariant();
        return await WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM suspensions_of_destinations WHERE destination = @lower",
                new { lower },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.Suspension, lower),
            cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SuspensionRow>(new CommandDefinition(
            "SELECT destination, until FROM suspensions_of_destinations WHERE until > @now",
            new { now = Millis(now) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var suspended = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows)
        {
            suspended[row.Destination] = At(row.Until);
        }

        return suspended;
    }

    private sealed class SuspensionRow
    {
        public string Destination { get; set; } = string.Empty;

        public long Until { get; set; }
    }
}
