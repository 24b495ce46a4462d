using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Reputation;

namespace Sluice.Cluster;

/// <summary>
/// Every sender pause this node makes — a brake that tripped here, an operator's through this
/// node — goes to the cluster's store, so every node holds that sender's mail (ADR 0032). A pause
/// followed from the store comes back here too and is written again unchanged, which changes and
/// announces nothing. A write that fails (the database away) is logged at a bounded rate and tried
/// again (1 s, doubling to a minute) until it is written or the pause is over; the pause holds on
/// this node meanwhile.
/// </summary>
internal sealed partial class SharedPauseWriter(SenderReputation reputation, ISenderPauseStore store, TimeProvider time, ILogger<SharedPauseWriter> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);
    private readonly LogGate<string> _gate = new(time, TimeSpan.FromMinutes(1));
    private readonly CancellationTokenSource _stopping = new();
    private int _writing;

    /// <summary>Pauses being written or waiting to be tried again.</summary>
    internal int Writing => Volatile.Read(ref _writing);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        reputation.Paused += Write;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        reputation.Paused -= Write;
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private void Write(SenderPause pause)
    {
        Interlocked.Increment(ref _writing);
        _ = WriteAsync(pause).ContinueWith(_ => Interlocked.Decrement(ref _writing), TaskScheduler.Default);
    }

    private async Task WriteAsync(SenderPause pause)
    {
        var shared = new SharedSenderPause(pause.Key.ToString(), pause.Since, pause.Until, SenderReputation.CauseName(pause.Cause), pause.Reason);
        for (var attempt = 1; !_stopping.IsCancellationRequested && time.GetUtcNow() < pause.Until; attempt++)
        {
            try
            {
                await store.PauseAsync(shared, _stopping.Token).ConfigureAwait(false);
                return;
            }
            catch (System.Data.Common.DbException ex)
            {
                if (_gate.ShouldLog("pause", out var unlogged))
                {
                    WriteFailed(logger, shared.Sender, ex.Message, unlogged);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(Core.Backoff.Doubling(FirstRetry, LongestRetry, attempt), time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 8151, Level = LogLevel.Warning, Message = "The pause of {Sender} could not be shared with the cluster yet ({Reason}); it holds on this node and is tried again; {Unlogged} more since the previous report")]
    private static partial void WriteFailed(ILogger logger, string sender, string reason, long unlogged);
}
