using Microsoft.AspNetCore.Mvc;
using Sluice.Configuration;
using Sluice.Delivery.Connections;
using Sluice.Delivery.Dispatch;

namespace Sluice.Http;

/// <summary>
/// The delivery policy in force (generation, routes, shaping as configured, and each live site's
/// effective limits and open connections), and a reload on demand (like SIGHUP).
/// </summary>
internal static class DeliveryPolicyEndpoints
{
    public static void Map(WebApplication app)
    {
        var delivery = app.MapGroup("/api/v1/delivery");

        delivery.MapGet("/policy", ([FromServices] DeliveryPolicyHolder? holder, [FromServices] ConnectionPool? pool) =>
        {
            if (holder is null)
            {
                return QueueOperationsEndpoints.DeliveryOff();
            }

            var policy = holder.Current;
            var sites = new List<object>();
            foreach (var (site, open, limit, shaping) in pool?.Sites() ?? [])
            {
                sites.Add(new { pool = site, open, window = limit, shaping });
            }

            return Results.Ok(new
            {
                generation = policy.Generation,
                loadedAt = policy.LoadedAt,
                relayHost = policy.Options.RelayHost,
                routes = policy.Options.Routes,
                retry = policy.Options.Retry,
                shaping = new
                {
                    defaults = policy.Shaping.Default,
                    providers = policy.Options.Shaping.Providers,
                    domains = policy.Options.Shaping.Domains,
                },
                sites,
            });
        });

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
