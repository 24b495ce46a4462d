using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore : ISenderPauseStore
{
    public Task PauseAsync(SharedSenderPause pause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pause);
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO sender_pauses (sender, since, until, cause, reason) VALUES (@Sender, @since, @until, @Cause, @Reason)
                ON CONFLICT (sender) DO UPDATE SET since = excluded.since, until = excluded.until, cause = excluded.cause, reason = excluded.reason
                WHERE sender_pauses.until <> excluded.until
                """,
                new { pause.Sender, since = Millis(pause.Since), until = Millis(pause.Until), pause.Cause, pause.Reason },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.SenderPause, pause.Sender),
            cancellationToken);
    }

    public async Task<bool> ResumeSenderAsync(string sender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return await WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM sender_pauses WHERE sender = @sender",
                new { sender },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.SenderPause, sender),
            cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<SharedSenderPause>> ListPausesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PauseRow>(new CommandDefinition(
            "SELECT sender, since, until, cause, reason FROM sender_pauses WHERE until > @now ORDER BY since",
            new { now = Millis(now) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var pauses = new List<SharedSenderPause>();
        foreach (var row in rows)
        {
            pauses.Add(new SharedSenderPause(row.Sender, At(row.Since), At(row.Until), row.Cause, row.Reason));
        }

        return pauses;
    }

    private sealed class PauseRow
    {
        public string Sender { get; set; } = string.Empty;

        public long Since { get; set; }

        public long Until { get; set; }

        public string Cause { get; set; } = string.Empty;

        public string Reason { get; set; } = string.Empty;
    }
}
