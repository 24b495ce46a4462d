using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Sluice.Delivery.Pools;

namespace Sluice.Dashboard;

/// <summary>Every relay pool and member: health (active probe and passive), traffic, failure rate, last probe; refreshes every 15 seconds.</summary>
internal static class PoolsPage
{
    public static IResult Render([FromServices] RelayPools? relays)
    {
        var body = new StringBuilder();
        var pools = relays?.Set.Pools.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList() ?? [];
        if (pools.Count == 0)
        {
            body.Append("<p class=\"muted\" id=\"no-pools\">No relay pools are configured (Delivery:Pools): mail goes straight to each domain's MX hosts.</p>");
        }

        foreach (var pool in pools)
        {
            var healthy = pool.Members.Count(m => m.IsAvailable);
            body.Append(CultureInfo.InvariantCulture, $"<h2>{Html.E(pool.Name)} <span class=\"muted\">· {Html.E(pool.Policy.Name)} · {healthy} of {pool.Members.Count} available{(pool.Options.NextPool is { } next ? $" · then {Html.E(next)}" : string.Empty)}</span></h2>");
            body.Append("<div class=\"scroll\"><table><thead><tr><th>member</th><th>address</th><th>health</th><th>active</th><th>passive</th><th class=\"num\">weight</th><th class=\"num\">tier</th><th class=\"num\">in flight</th><th class=\"num\">picks</th><th class=\"num\">recent failures</th><th>last probe</th></tr></thead><tbody>");
            foreach (var m in pool.Members)
            {
                var probe = m.LastProbe is { } p ? $"{(p.Healthy ? "ok" : "failed")} {p.Latency.TotalMilliseconds:0} ms {Html.E(p.Detail)} · {Html.Time(m.LastProbeAt)}" : "—";
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(m.Name)}</td><td>{Html.E(m.Address)}</td><td>{Html.Badge(m.IsAvailable ? "healthy" : "unhealthy")}</td><td>{Html.E(m.ActiveHealth.ToString())}</td><td>{Html.E(m.PassiveHealth.ToString())}</td><td class=\"num\">{m.Weight}</td><td class=\"num\">{m.Tier}</td><td class=\"num\">{m.InFlight}</td><td class=\"num\">{Html.Number(m.Selected)}</td><td class=\"num\">{Html.Percent(m.RecentFailureRate)}</td><td class=\"reply\">{probe}</td></tr>");
            }

            body.Append("</tbody></table></div>");
        }

        return Layout.Page("Relay pools", "Pools", body.ToString(), refreshSeconds: 15);
    }
}
