using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;

namespace Sluice.Postgres;

/// <summary>
/// Delivered recipients of unsettled messages in PostgreSQL (ADR 0033): written when a domain's
/// recipients are delivered, read when the brokers redeliver a message. Rows older than
/// <paramref name="keep"/> (longer than any message stays queued) are pruned at most hourly.
/// Transport failures are logged at a bounded rate and cost only the record, never the mail.
/// </summary>
public sealed partial class DeliveredLedger(PostgresDatabase database, TimeSpan keep, TimeProvider time, ILogger<DeliveredLedger> logger) : IDeliveredLedger
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private readonly LogGate<string> _gate = new(time, TimeSpan.FromMinutes(1));
    private long _lastPrune;

    public async Task RecordAsync(MessageId id, IReadOnlyList<string> recipients, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO delivered_recipients (message_id, recipient, at) SELECT @id, r, @at FROM unnest(@recipients) AS r ON CONFLICT DO NOTHING",
                new { id = id.Value, recipients = recipients.ToArray(), at = at.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await PruneAsync(connection, at, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            Failed(ex, "record");
        }
    }

    public async Task<IReadOnlySet<string>> DeliveredAsync(MessageId id, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var rows = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT recipient FROM delivered_recipients WHERE message_id = @id",
                new { id = id.Value },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return new HashSet<string>(rows, StringComparer.OrdinalIgnoreCase);
        }
        catch (NpgsqlException ex)
        {
            Failed(ex, "look up");
            return new HashSet<string>();
        }
    }

    private async Task PruneAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if (last != 0 && time.GetElapsedTime(last) < PruneEvery)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastPrune, time.GetTimestamp(), last) == last)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM delivered_recipients WHERE at < @before",
                new { before = (now - keep).ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private void Failed(NpgsqlException ex, string operation)
    {
        if (_gate.ShouldLog(operation, out var unlogged))
        {
            LedgerFailed(logger, operation, ex.Message, unlogged);
        }
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Delivered-recipients ledger: could not {Operation} ({Reason}); a message redelivered after a node's death may reach those recipients twice; {Unlogged} more reports since the previous one")]
    private static partial void LedgerFailed(ILogger logger, string operation, string reason, long unlogged);
}
