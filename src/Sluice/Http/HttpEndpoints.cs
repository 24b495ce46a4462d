using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core.Queue;

namespace Sluice.Http;

/// <summary>Health, readiness, metrics and read-only queue inspection.</summary>
internal static class HttpEndpoints
{
    public const int MaxPageSize = 1000;

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapGet("/readyz", async (IMessageQueue queue, CancellationToken ct) =>
            await queue.IsWritableAsync(ct)
                ? Results.Text("ready\n")
                : Results.Problem(title: "Not ready", detail: "The spool is not writable.", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/metrics", (MetricsExporter exporter) =>
            Results.Text(exporter.Export(), "text/plain; version=0.0.4; charset=utf-8"));

        var queueApi = app.MapGroup("/api/v1/queue");
        queueApi.MapGet("/summary", async (IMessageQueue queue, CancellationToken ct) =>
        {
            var summary = await queue.GetSummaryAsync(ct);
            return Results.Ok(new
            {
                total = summary.Total,
                byState = summary.ByState,
                byDomain = summary.ByDomain,
                oldestReceivedAt = summary.OldestReceivedAt,
            });
        });

        queueApi.MapGet("/messages", async Task<Results<Ok<QueuePageView>, ProblemHttpResult>> (IMessageQueue queue, int? limit, string? cursor, string? domain, string? state, CancellationToken ct) =>
        {
            var size = limit ?? 100;
            if (size is < 1 or > MaxPageSize)
            {
                return TypedResults.Problem(
                    title: "Invalid query parameter",
                    detail: $"limit must be between 1 and {MaxPageSize}.",
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["parameter"] = "limit" });
            }

            QueueMessageState? stateFilter = null;
            if (state is not null)
            {
                if (!QueueStateNames.TryParse(state, out var parsed))
                {
                    return TypedResults.Problem(title: "Invalid query parameter", detail: "state must be queued, in-flight, held or dead-letter.", statusCode: StatusCodes.Status400BadRequest);
                }

                stateFilter = parsed;
            }

            var page = await queue.ListAsync(size, cursor, new QueueFilter(Domain: domain, State: stateFilter), ct);
            var items = new List<QueueEntryView>(page.Items.Count);
            foreach (var entry in page.Items)
            {
                items.Add(QueueEntryView.From(entry));
            }

            return TypedResults.Ok(new QueuePageView(items, page.NextCursor));
        });
    }
}
