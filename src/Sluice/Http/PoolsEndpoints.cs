using Microsoft.AspNetCore.Mvc;
using Sluice.Core.Balancing;
using Sluice.Delivery.Pools;

namespace Sluice.Http;

/// <summary>
/// <c>GET /api/v1/pools</c>: every relay pool and member with weight, tier, health (active and
/// passive), work in flight, picks, recent failure rate and last probe. Credentials are never shown.
/// </summary>
internal static class PoolsEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/pools", ([FromServices] RelayPools? relays) =>
            relays is null ? QueueOperationsEndpoints.DeliveryOff() : Results.Ok(View(relays.Set)));
    }

    internal static object View(BalancerPoolSet set)
        => set.Pools.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(pool => new
        {
            name = pool.Name,
            policy = pool.Policy.Name,
            nextPool = pool.Options.NextPool,
            whenNoneAvailable = pool.Options.WhenNoneAvailable.ToString(),
            healthCheck = new { enabled = pool.Options.HealthCheck.Enabled, interval = pool.Options.HealthCheck.Interval, startTls = pool.Options.HealthCheck.StartTls },
            members = pool.Members.Select(m => new
            {
                name = m.Name,
                address = m.Address,
                weight = m.Weight,
                tier = m.Tier,
                maxConnections = m.MaxConnections,
                health = m.Health.ToString(),
                activeHealth = m.ActiveHealth.ToString(),
                passiveHealth = m.PassiveHealth.ToString(),
                available = m.IsAvailable,
                inFlight = m.InFlight,
                selected = m.Selected,
                recentFailureRate = Math.Round(m.RecentFailureRate, 3),
                lastProbe = m.LastProbe is { } probe
                    ? new { healthy = probe.Healthy, detail = probe.Detail, latencyMs = Math.Round(probe.Latency.TotalMilliseconds, 1), at = m.LastProbeAt }
                    : null,
            }),
        });
}
