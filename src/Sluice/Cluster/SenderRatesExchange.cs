using Sluice.Core.Cluster;
using Sluice.Delivery.Reputation;

namespace Sluice.Cluster;

/// <summary>
/// Every second, this node's sender counts go to the cluster's shared rates and the other nodes'
/// come back for the senders a brake watches (ADR 0038), so that a brake judges a sender on all
/// the mail the cluster sent for it. The store away: counts wait for the next round; away for ten
/// rounds, the others' counts are forgotten and this node judges on its own until it hears again.
/// </summary>
internal sealed partial class SenderRatesExchange(
    SenderRates rates,
    ISharedRates shared,
    ReputationOptions options,
    TimeProvider time,
    ILogger<SenderRatesExchange> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int StaleAfter = 10;
    private readonly Core.Telemetry.LogGate<string> _failures = new(time, TimeSpan.FromMinutes(1));
    private int _missed;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        rates.StartSharing();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // What was counted since the last round still counts for the others.
        await RoundAsync().ConfigureAwait(false);
    }

    /// <summary>One round: this node's counts out, the others' in.</summary>
    public async Task RoundAsync()
    {
        var exchange = rates.TakeExchange(Judged);
        IReadOnlyDictionary<string, IReadOnlyList<RateBucket>>? others;
        try
        {
            others = await shared.ExchangeAsync(exchange).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Part of the round may have landed: its counts are not sent again (ISharedRates).
            if (_failures.ShouldLog("exchange", out var unlogged))
            {
                ExchangeFailed(logger, unlogged, ex);
            }

            Missed();
            return;
        }

        if (others is null)
        {
            rates.Unsent(exchange);
            Missed();
            return;
        }

        _missed = 0;
        rates.Received(exchange, others);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RoundAsync().ConfigureAwait(false);
        }
    }

    private void Missed()
    {
        if (++_missed == StaleAfter)
        {
            rates.ForgetOthers();
            OthersForgotten(logger, StaleAfter);
        }
    }

    private bool Judged(SenderKey key)
    {
        foreach (var brake in options.Brakes)
        {
            if (brake.Watches(key))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 8152, Level = LogLevel.Warning, Message = "Sender counts could not be exchanged with the cluster; this round's are not sent again ({Unlogged} more since the previous report)")]
    private static partial void ExchangeFailed(ILogger logger, long unlogged, Exception exception);

    [LoggerMessage(EventId = 8153, Level = LogLevel.Warning, Message = "No exchange of sender counts for {Rounds} rounds: brakes judge on this node's counts alone until the cluster's store answers")]
    private static partial void OthersForgotten(ILogger logger, int rounds);
}
