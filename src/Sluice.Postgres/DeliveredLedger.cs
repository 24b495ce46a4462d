using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;

namespace Sluice.Postgres;

/// <summary>
/// Delivered recipients of unsettled messages in PostgreSQL (ADR 0033): written when a domain's
/// recipients are delivered, read when the brokers redeliver a message. Writes are group-committed:
/// one writer takes every record waiting (up to 4,096 rows) into one statement and one commit, so
/// the commits per second stay few however many nodes deliver; each caller waits for the commit
/// that holds its rows. Rows older than <c>keep</c> (longer than any message stays queued) are
/// pruned at most hourly. Transport failures are logged at a bounded rate and cost only the
/// record, never the mail.
/// </summary>
public sealed partial class DeliveredLedger : IDeliveredLedger, IAsyncDisposable
{
    private const int MaxRows = 4096;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private readonly PostgresDatabase _database;
    private readonly TimeSpan _keep;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogGate<string> _gate;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly Core.Cluster.ILeadership? _leadership;
    private long _lastPrune;

    /// <param name="leadership">Given (the cluster has a leader lease), only the leader prunes; else every node does (the same DELETE, harmless twice).</param>
    public DeliveredLedger(PostgresDatabase database, TimeSpan keep, TimeProvider time, ILogger<DeliveredLedger> logger, Core.Cluster.ILeadership? leadership = null)
    {
        _database = database;
        _leadership = leadership;
        _keep = keep;
        _time = time;
        _logger = logger;
        _gate = new LogGate<string>(time, TimeSpan.FromMinutes(1));
        _writer = Task.Run(WriteAsync);
    }

    public Task RecordAsync(MessageId id, IReadOnlyList<string> recipients, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var pending = new Pending(id.Value, recipients, at.ToUnixTimeMilliseconds());
        return _pending.Writer.TryWrite(pending) ? pending.Done.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    public async Task<IReadOnlySet<string>> DeliveredAsync(MessageId id, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var rows = 0;
            while (rows < MaxRows && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
                rows += next.Recipients.Count;
            }

            await CommitAsync(batch).ConfigureAwait(false);
            foreach (var done in batch)
            {
                done.Done.TrySetResult();
            }

            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var ids = new List<string>();
        var recipients = new List<string>();
        var ats = new List<long>();
        var latest = 0L;
        foreach (var pending in batch)
        {
            foreach (var recipient in pending.Recipients)
            {
                ids.Add(pending.Id);
                recipients.Add(recipient);
                ats.Add(pending.At);
            }

            latest = Math.Max(latest, pending.At);
        }

        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync().ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO delivered_recipients (message_id, recipient, at) SELECT * FROM unnest(@ids, @recipients, @ats) ON CONFLICT DO NOTHING",
                new { ids = ids.ToArray(), recipients = recipients.ToArray(), ats = ats.ToArray() }).ConfigureAwait(false);
            await PruneAsync(connection, latest).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            Failed(ex, "record");
        }
    }

    private async Task PruneAsync(NpgsqlConnection connection, long now)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if ((last != 0 && _time.GetElapsedTime(last) < PruneEvery) || _leadership is { IsLeader: false })
        {
            return;
        }

        Interlocked.Exchange(ref _lastPrune, _time.GetTimestamp());
        await connection.ExecuteAsync("DELETE FROM delivered_recipients WHERE at < @before", new { before = now - (long)_keep.TotalMilliseconds }).ConfigureAwait(false);
    }

    private void Failed(NpgsqlException ex, string operation)
    {
        if (_gate.ShouldLog(operation, out var unlogged))
        {
            LedgerFailed(_logger, operation, ex.Message, unlogged);
        }
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Delivered-recipients ledger: could not {Operation} ({Reason}); a message redelivered after a node's death may reach those recipients twice; {Unlogged} more reports since the previous one")]
    private static partial void LedgerFailed(ILogger logger, string operation, string reason, long unlogged);

    private sealed record Pending(string Id, IReadOnlyList<string> Recipients, long At)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
