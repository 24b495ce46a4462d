using Sluice.Core.Queue;
using Sluice.RabbitMq;
using Sluice.Storage;

namespace Sluice.Cluster;

/// <summary>
/// Moving in (ADR 0033): a node switched from its embedded spool to the cluster queue hands every
/// message still in its spool to the brokers at start — each confirmed by them before it leaves
/// the spool, so none is left behind; a crash between the two can only publish one twice, never
/// lose one. Dead letters stay in the local spool for inspection.
/// </summary>
internal sealed partial class LocalSpoolDrain(SqliteSpool spool, RabbitMqQueue cluster, TimeProvider time, ILogger<LocalSpoolDrain> logger) : BackgroundService
{
    private const int Batch = 500;
    private long _moved;

    /// <summary>Messages moved to the cluster queue since start.</summary>
    public long Moved => Interlocked.Read(ref _moved);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (spool.Depth == 0)
        {
            return;
        }

        await cluster.Connected.WaitAsync(stoppingToken).ConfigureAwait(false);

        // Everything queued or held, whatever its next attempt: leasable now (the cluster keeps each message's next attempt).
        await spool.FlushAsync(QueueFilter.All, stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = await spool.LeaseAsync(Batch, stoppingToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var entry in batch)
            {
                await MoveAsync(entry, stoppingToken).ConfigureAwait(false);
            }
        }

        Moving(logger, Moved);
    }

    private async Task MoveAsync(QueueEntry entry, CancellationToken cancellationToken)
    {
        await using var content = await spool.OpenContentAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return;
        }

        using var bytes = new MemoryStream();
        await content.CopyToAsync(bytes, cancellationToken).ConfigureAwait(false);
        while (!await cluster.ImportAsync(entry, bytes.GetBuffer().AsMemory(0, (int)bytes.Length), cancellationToken).ConfigureAwait(false))
        {
            // The brokers went away: the message stays leased here until they answer again.
            await cluster.Connected.WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
        }

        await spool.AckAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _moved);
    }

    [LoggerMessage(EventId = 8150, Level = LogLevel.Information, Message = "Moved {Moved} messages from the local spool into the cluster queue")]
    private static partial void Moving(ILogger logger, long moved);
}
