using Microsoft.AspNetCore.Mvc;
using Sluice.Configuration;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Dispatch;

namespace Sluice.Http;

/// <summary>
/// The delivery policy in force (generation, routes, shaping as configured, reply rules, and each
/// live ready queue: mail waiting, connections, window, rest, effective limits, a reply rule's
/// lowering and the senders it holds), and a reload on demand (like SIGHUP).
/// </summary>
internal static class DeliveryPolicyEndpoints
{
    /// <summary>Each warming source's plan and what it sent today per provider, against the day's allowance.</summary>
    private static object? WarmUp(DeliveryPolicy policy, Delivery.Egress.WarmUpLedger? ledger)
    {
        var plans = policy.Options.Egress.Sources.Where(s => s.WarmUp is not null).ToDictionary(s => s.Name, s => s.WarmUp!, StringComparer.OrdinalIgnoreCase);
        if (ledger is null || plans.Count == 0)
        {
            return null;
        }

        var used = ledger.Today(out var day);
        return new
        {
            day,
            sources = plans.Select(p => new
            {
                source = p.Key,
                start = p.Value.Start,
                dayOfPlan = day.DayNumber - p.Value.Start.DayNumber + 1,
                allowance = p.Value.Allowance(day, "*"),
                providers = used.Where(u => string.Equals(u.Source, p.Key, StringComparison.OrdinalIgnoreCase))
                    .Select(u => new { provider = u.Provider, used = u.Used, allowance = p.Value.Allowance(day, u.Provider) }),
            }),
        };
    }

    public static void Map(WebApplication app)
    {
        var delivery = app.MapGroup("/api/v1/delivery");

        delivery.MapGet("/policy", ([FromServices] DeliveryPolicyHolder? holder, [FromServices] ReadyQueues? queues, [FromServices] Delivery.Egress.WarmUpLedger? warmUp) =>
        {
            if (holder is null)
            {
                return QueueOperationsEndpoints.DeliveryOff();
            }

            var policy = holder.Current;
            var sites = new List<object>();
            foreach (var q in queues?.States() ?? [])
            {
                sites.Add(new
                {
                    pool = q.Key.ToString(),
                    site = q.Key.Site,
                    source = q.Key.Source,
                    domain = q.Key.Domain,
                    waiting = q.Waiting,
                    sending = q.Busy,
                    open = q.Open,
                    idle = q.Idle,
                    window = q.Window,
                    consecutiveFailures = q.ConsecutiveFailures,
                    restingUntil = q.RestingUntil,
                    moreHeld = q.MoreHeld,
                    shaping = q.Shaping,
                    replyRule = q.Adjustment is { } a ? new { rule = a.Rule, until = a.Until, maxMessageRate = a.MaxMessageRate, maxConnections = a.MaxConnections, reply = a.Reply } : null,
                    heldSenders = q.HeldSenders.Select(h => new { sender = h.Sender, until = h.Until }),
                });
            }

            return Results.Ok(new
            {
                generation = policy.Generation,
                loadedAt = policy.LoadedAt,
                relayHost = policy.Options.RelayHost,
                routes = policy.Options.Routes,
                // What is in force, defaults included (an empty list here read as "no retries").
                retry = new { intervals = policy.Options.Retry.EffectiveIntervals, maxAge = policy.Options.Retry.MaxAge, jitter = policy.Options.Retry.Jitter },
                replyRules = new { count = policy.ReplyRules.Count, file = policy.Options.ReplyRulesFile, builtIn = policy.Options.BuiltInReplyRules },
                warmUp = WarmUp(policy, warmUp),
                shaping = new
                {
                    defaults = policy.Shaping.Default,
                    providers = policy.Options.Shaping.Providers,
                    domains = policy.Options.Shaping.Domains,
                },
                sites,
            });
        });

        delivery.MapPost("/tls-reports", async ([FromServices] Delivery.TlsReporting.TlsReportSender? reports, CancellationToken ct) =>
            reports is null
                ? Results.Problem(title: "TLS reporting is off", detail: "Delivery:TlsReporting:Enabled is false, or this node does not deliver.", statusCode: StatusCodes.Status409Conflict)
                : Results.Ok(new { sent = (await reports.SendAsync(ct)).Select(s => new { domain = s.Domain, destination = s.Destination, ok = s.Sent }) }))
            .WithSummary("Make and send the SMTP TLS reports (RFC 8460) for everything counted since the last ones, now rather than at the next UTC day.");

        delivery.MapPost("/reload", async ([FromServices] ConfigurationReloader? reloader, [FromServices] DeliveryPolicyHolder? holder) =>
        {
            if (reloader is null)
            {
                return Results.Problem(title: "No reloadable configuration", detail: "This node runs without delivery or was not started from a configuration it can re-read.", statusCode: StatusCodes.Status409Conflict);
            }

            var (applied, refused) = await reloader.ReloadAsync("HTTP request");
            return applied is not null && holder?.Current is { } policy
                ? Results.Ok(new { generation = policy.Generation, loadedAt = policy.LoadedAt, applied })
                : Results.Problem(title: "Reload refused", detail: $"{refused} The running configuration is kept.", statusCode: StatusCodes.Status422UnprocessableEntity);
        });
    }
}
