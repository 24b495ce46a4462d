using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Reputation;

namespace Sluice.Cluster;

/// <summary>
/// Every sender pause this node makes — a brake that tripped here, an operator's through this
/// node — goes to the cluster's store, so every node holds that sender's mail (ADR 0032). A pause
/// followed from the store comes back here too and is written again unchanged, which changes and
/// announces nothing. A write that fails (the database away) is logged at a bounded rate; the pause
/// holds on this node regardless.
/// </summary>
internal sealed partial class SharedPauseWriter(SenderReputation reputation, ISenderPauseStore store, TimeProvider time, ILogger<SharedPauseWriter> logger) : IHostedService
{
    private readonly LogGate<string> _gate = new(time, TimeSpan.FromMinutes(1));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        reputation.Paused += Write;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        reputation.Paused -= Write;
        return Task.CompletedTask;
    }

    private void Write(SenderPause pause) => _ = WriteAsync(pause);

    private async Task WriteAsync(SenderPause pause)
    {
        try
        {
            await store.PauseAsync(new SharedSenderPause(pause.Key.ToString(), pause.Since, pause.Until, SenderReputation.CauseName(pause.Cause), pause.Reason), CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            if (_gate.ShouldLog("pause", out var unlogged))
            {
                WriteFailed(logger, pause.Key.ToString(), ex.Message, unlogged);
            }
        }
    }

    [LoggerMessage(EventId = 8151, Level = LogLevel.Warning, Message = "The pause of {Sender} could not be shared with the cluster ({Reason}); it holds on this node only; {Unlogged} more since the previous report")]
    private static partial void WriteFailed(ILogger logger, string sender, string reason, long unlogged);
}
