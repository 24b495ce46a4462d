using Sluice.Core.Events;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// Statistics from the message index: counts per hour or day (UTC) by sending domain or tag
/// (<c>GET /api/v1/stats</c>), and the most frequent reasons of bounces or deferrals
/// (<c>GET /api/v1/stats/reasons</c>).
/// </summary>
internal static class StatsEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/stats", async (HttpRequest request, IMessageIndex index, TimeProvider time, CancellationToken ct) =>
        {
            var (query, errors) = SearchQuery.ParseStats(request.Query, time.GetUtcNow());
            if (query is null)
            {
                return Results.ValidationProblem(errors, title: "Invalid statistics request");
            }

            var rows = await index.StatsAsync(query, ct);
            return Results.Ok(new
            {
                from = query.From,
                to = query.To,
                interval = query.Interval == StatsInterval.Day ? "day" : "hour",
                items = rows.Select(r => new
                {
                    start = r.Start,
                    senderDomain = r.SenderDomain,
                    tag = r.Tag,
                    received = r.Received,
                    delivered = r.Delivered,
                    deferred = r.Deferred,
                    bounced = r.Bounced,
                    expired = r.Expired,
                    suppressed = r.Suppressed,
                    complained = r.Complained,
                    unsubscribed = r.Unsubscribed,
                }),
            });
        })
            .RequireScope(ApiScopes.Read)
            .WithSummary("Counts of recipients received, delivered, deferred, bounced, expired, suppressed, complained and unsubscribed per hour or day, optionally by sending domain or tag.");

        app.MapGet("/api/v1/stats/reasons", async (string? type, DateTimeOffset? from, DateTimeOffset? to, int? limit, IMessageIndex index, TimeProvider time, CancellationToken ct) =>
        {
            if (!EventNames.TryParse(type ?? "bounced", out var eventType) || eventType is not (DeliveryEventType.Bounce or DeliveryEventType.TransientFailure or DeliveryEventType.Expiration))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["type"] = ["bounced, deferred or expired."] }, title: "Invalid statistics request");
            }

            var until = to ?? time.GetUtcNow();
            var reasons = await index.TopReasonsAsync(eventType, from ?? until.AddDays(-1), until, limit ?? 10, ct);
            return Results.Ok(new { items = reasons.Select(r => new { classification = r.Classification, count = r.Count, exampleReply = r.ExampleReply }) });
        }).RequireScope(ApiScopes.Read);
    }
}
