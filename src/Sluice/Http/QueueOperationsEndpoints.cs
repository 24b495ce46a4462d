using Microsoft.AspNetCore.Mvc;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Smtp;
using Sluice.Core.Events;

namespace Sluice.Http;

/// <summary>
/// The operator's queue tools (the mailq/postqueue of Sluice): inspect one message, list by domain
/// or state, flush (retry now), delete with a dry-run count, suspend and resume a destination.
/// Every change is written to the event log as an AdminAction.
/// </summary>
internal static class QueueOperationsEndpoints
{
    public static void Map(WebApplication app)
    {
        var queue = app.MapGroup("/api/v1/queue");

        queue.MapGet("/messages/{id}", async (string id, IMessageQueue q, CancellationToken ct) =>
            await q.GetAsync(new MessageId(id), ct) is { } entry
                ? Results.Ok(new
                {
                    id = entry.Id.Value,
                    envelope = entry.Envelope,
                    size = entry.Size,
                    receivedAt = entry.ReceivedAt,
                    state = Core.Queue.QueueStateNames.Name(entry.State),
                    attempts = entry.Attempts,
                    nextAttemptAt = QueueEntryView.NextAttempt(entry),
                    lastReply = entry.LastReply,
                })
                : Results.Problem(title: "Not found", detail: $"No message {id} in the queue.", statusCode: StatusCodes.Status404NotFound));

        queue.MapPost("/flush", async (QueueOperationRequest request, QueueActions actions, CancellationToken ct) =>
        {
            var (filter, problem) = Filter(request);
            return problem ?? Results.Ok(new { count = await actions.FlushAsync(filter!, ct) });
        });

        queue.MapPost("/delete", async (QueueOperationRequest request, QueueActions actions, CancellationToken ct) =>
        {
            var (filter, problem) = Filter(request);
            return problem ?? Results.Ok(new { count = await actions.DeleteAsync(filter!, request.DryRun, ct), dryRun = request.DryRun });
        });

        queue.MapPost("/bounce", async (QueueOperationRequest request, IMessageQueue q, BounceSender bounces, DeliveryEventLog events, TimeProvider time, CancellationToken ct) =>
        {
            var (filter, problem) = Filter(request);
            if (problem is not null)
            {
                return problem;
            }

            if (request.DryRun)
            {
                return Results.Ok(new { count = await q.DeleteAsync(filter!, dryRun: true, ct), dryRun = true });
            }

            // Each message is handed over with its bytes (the notice quotes its header), its notice
            // stored before it is removed; the first notice that cannot be stored ends the pass.
            var outcome = DeliveryOutcome.Permanent(554, "5.0.0", request.Reason ?? "Returned to sender by an operator");
            MessageId? refused = null;
            var count = await q.SettleWaitingAsync(
                filter!,
                async (entry, content) =>
                {
                    var now = time.GetUtcNow();
                    if (!await bounces.SendAsync(entry, [.. entry.Envelope.Recipients.Select(r => new FailedRecipient(r, outcome, null, now))], now, content))
                    {
                        refused = entry.Id;
                        return false;
                    }

                    // Bounced, as the index and webhooks know it: each recipient, and the operator's action.
                    foreach (var recipient in entry.Envelope.Recipients)
                    {
                        events.Write(new DeliveryEvent(now, DeliveryEventType.Bounce, entry.Id.Value, recipient.Address, null, null, entry.Attempts, outcome.Reply.ToString(), "operator", null, Sender: entry.Envelope.Sender, Tags: entry.Envelope.Tags ?? []));
                    }

                    events.Write(new DeliveryEvent(now, DeliveryEventType.AdminAction, entry.Id.Value, null, null, null, entry.Attempts, outcome.Reply.ToString(), "bounce", null));
                    return true;
                },
                ct);
            if (refused is { } id)
            {
                return Results.Problem(title: "Bounce not queued", detail: $"The notice for {id} could not be stored; {count} messages were returned before it, the rest are untouched.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Ok(new { count, dryRun = false });
        });

        queue.MapGet("/suspensions", ([FromServices] DeliveryControl? control) =>
            control is null ? DeliveryOff() : Results.Ok(control.Suspended));

        queue.MapPost("/suspensions", async (SuspendRequest request, QueueActions actions) =>
        {
            if (actions.Control is null)
            {
                return DeliveryOff();
            }

            if (string.IsNullOrWhiteSpace(request.Destination) || request.Minutes is <= 0)
            {
                return Results.Problem(title: "Invalid request", detail: "destination is required; minutes, when given, must be positive.", statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Ok(new { destination = request.Destination, until = await actions.SuspendAsync(request.Destination, request.Minutes ?? 60) });
        });

        queue.MapDelete("/suspensions/{destination}", async (string destination, QueueActions actions) =>
        {
            if (actions.Control is null)
            {
                return DeliveryOff();
            }

            // Held mail for it is released at once, due as it was: no flush needed.
            return await actions.ResumeAsync(destination)
                ? Results.Ok(new { destination, resumed = true })
                : Results.Problem(title: "Not suspended", detail: $"{destination} is not suspended.", statusCode: StatusCodes.Status404NotFound);
        });
    }

    /// <summary>A filter from the request, or a problem: acting on the whole queue must be asked for with all=true.</summary>
    internal static (QueueFilter? Filter, IResult? Problem) Filter(QueueOperationRequest request)
    {
        QueueMessageState? state = null;
        if (request.State is { } s)
        {
            if (!QueueStateNames.TryParse(s, out var parsed))
            {
                return (null, Results.Problem(title: "Invalid request", detail: $"state '{s}' is not queued, in-flight, held or dead-letter.", statusCode: StatusCodes.Status400BadRequest));
            }

            state = parsed;
        }

        var filter = new QueueFilter(request.Id is { } id ? new MessageId(id) : null, request.Domain, state);
        if (filter == QueueFilter.All && !request.All)
        {
            return (null, Results.Problem(title: "Invalid request", detail: "Give id, domain or state, or all=true to act on the whole queue.", statusCode: StatusCodes.Status400BadRequest));
        }

        return (filter, null);
    }

    internal static IResult DeliveryOff()
        => Results.Problem(title: "Delivery is off", detail: "This node runs with Delivery:Enabled=false.", statusCode: StatusCodes.Status409Conflict);
}
