using Microsoft.Extensions.Hosting;
using Sluice.Core.Balancing;

namespace Sluice.Delivery.Pools;

/// <summary>
/// Probes every member of every pool whose health checks are on, each pool on its own interval,
/// all members of a pool at once. Pools and members are read afresh each round, so a reload
/// takes effect at the next round.
/// </summary>
public sealed class ActiveHealthChecker(BalancerPoolSet pools, SmtpProbe probe, string heloName, TimeProvider time, Core.Telemetry.SluiceMetrics? metrics = null) : BackgroundService
{
    /// <summary>How often the loop looks for pools that are due (the finest probe interval it can honour).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.OrdinalIgnoreCase);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            do
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Probes the pools that are due now.</summary>
    public async Task RoundAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var probes = new List<Task>();
        foreach (var pool in pools.Pools)
        {
            var check = pool.Options.HealthCheck;
            if (!check.Enabled || (_due.TryGetValue(pool.Name, out var due) && now < due))
            {
                continue;
            }

            _due[pool.Name] = now + check.Interval;
            foreach (var member in pool.Members)
            {
                probes.Add(ProbeAsync(pool, member, check, cancellationToken));
            }
        }

        await Task.WhenAll(probes).ConfigureAwait(false);
    }

    private async Task ProbeAsync(BalancerPool pool, BalancerMember member, HealthCheckOptions check, CancellationToken cancellationToken)
    {
        var result = await probe.ProbeAsync(member.Address, check, heloName, cancellationToken).ConfigureAwait(false);
        member.RecordProbe(result);
        metrics?.PoolProbeDuration.Record(
            result.Latency.TotalSeconds,
            new KeyValuePair<string, object?>("pool", pool.Name),
            new KeyValuePair<string, object?>("member", member.Name),
            new KeyValuePair<string, object?>("result", result.Healthy ? "healthy" : "unhealthy"));
    }
}
