using System.Security.Cryptography;
using Sluice.Core.Events;
using Sluice.Core.State;
using Sluice.Core.Webhooks;
using Sluice.Webhooks;

namespace Sluice.Http;

/// <summary>
/// Webhook subscriptions: create (the secret is shown once, at creation), list, read, change, delete;
/// their dead letters: list and replay. A new webhook gets the events after its creation.
/// </summary>
internal static class WebhooksEndpoints
{
    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/api/v1/webhooks");

        group.MapPost("/", async (WebhookRequest request, IWebhookStore store, IMessageIndex index, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors["url"] = ["An absolute http:// or https:// URL is needed."];
            }

            var (mask, eventsError) = Mask(request.Events);
            if (eventsError is not null)
            {
                errors["events"] = [eventsError];
            }

            if (request.Secret is { Length: < 16 })
            {
                errors["secret"] = ["A secret of at least 16 characters, or none to have one made."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "Invalid webhook");
            }

            var webhook = new Webhook(
                "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                url!,
                request.Secret ?? "whsec_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
                mask,
                time.GetUtcNow(),
                Enabled: true,
                Cursor: await index.LastSequenceAsync(ct));
            await store.AddAsync(webhook, ct);
            dispatcher.Changed();
            return Results.Created($"/api/v1/webhooks/{webhook.Id}", View(webhook, withSecret: true));
        }).RequireScope(ApiScopes.Admin);

        group.MapGet("/", async (IWebhookStore store, CancellationToken ct) =>
            Results.Ok(new { items = (await store.ListAsync(ct)).Select(w => View(w, withSecret: false)) })).RequireScope(ApiScopes.Read);

        group.MapGet("/{id}", async (string id, IWebhookStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } webhook ? Results.Ok(View(webhook, withSecret: false)) : NotFound(id)).RequireScope(ApiScopes.Read);

        group.MapPatch("/{id}", async (string id, WebhookUpdate update, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct) =>
        {
            int? mask = null;
            if (update.Events is not null)
            {
                var (parsed, error) = Mask(update.Events);
                if (error is not null)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["events"] = [error] }, title: "Invalid webhook");
                }

                mask = parsed;
            }

            if (!await store.UpdateAsync(id, mask, update.Enabled, ct))
            {
                return NotFound(id);
            }

            dispatcher.Changed();
            return Results.Ok(View((await store.GetAsync(id, ct))!, withSecret: false));
        }).RequireScope(ApiScopes.Admin);

        group.MapDelete("/{id}", async (string id, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct) =>
        {
            if (!await store.RemoveAsync(id, ct))
            {
                return NotFound(id);
            }

            dispatcher.Changed();
            return Results.NoContent();
        }).RequireScope(ApiScopes.Admin);

        group.MapGet("/{id}/dead-letters", async (string id, IWebhookStore store, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is null)
            {
                return NotFound(id);
            }

            var letters = await store.DeadLettersAsync(id, ct);
            return Results.Ok(new { items = letters.Select(l => new { id = l.Id, failedAt = l.FailedAt, attempts = l.Attempts, lastError = l.LastError, events = l.EventCount }) });
        }).RequireScope(ApiScopes.Read);

        group.MapPost("/{id}/dead-letters/replay", (string id, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct) => ReplayAsync(id, null, store, dispatcher, ct))
            .RequireScope(ApiScopes.Admin);

        group.MapPost("/{id}/dead-letters/{letterId:long}/replay", (string id, long letterId, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct) => ReplayAsync(id, letterId, store, dispatcher, ct))
            .RequireScope(ApiScopes.Admin);
    }

    private static async Task<IResult> ReplayAsync(string id, long? letterId, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } webhook)
        {
            return NotFound(id);
        }

        if (letterId is { } only && !(await store.DeadLettersAsync(id, ct)).Any(l => l.Id == only))
        {
            return Results.Problem(title: "Not found", detail: $"Webhook {id} has no dead letter {only}.", statusCode: StatusCodes.Status404NotFound);
        }

        var (replayed, failed) = await dispatcher.ReplayAsync(webhook, letterId, ct);
        return Results.Ok(new { replayed, failed });
    }

    /// <summary>The subscription bits of event names; an error naming the unknown ones and the known.</summary>
    internal static (int Mask, string? Error) Mask(string[]? names)
    {
        if (names is null || names.Length == 0)
        {
            return (0, $"Name at least one event type: {string.Join(", ", EventNames.Subscribable)}.");
        }

        var mask = 0;
        var unknown = new List<string>();
        foreach (var name in names)
        {
            if (EventNames.TryParse(name, out var type) && type != DeliveryEventType.AdminAction)
            {
                mask |= EventNames.Bit(type);
            }
            else
            {
                unknown.Add(name);
            }
        }

        return unknown.Count == 0 ? (mask, null) : (0, $"Unknown event type {string.Join(", ", unknown)}; known: {string.Join(", ", EventNames.Subscribable)}.");
    }

    internal static IEnumerable<string> Names(int mask)
        => Enum.GetValues<DeliveryEventType>().Where(t => (mask & EventNames.Bit(t)) != 0).Select(EventNames.Name);

    private static object View(Webhook w, bool withSecret) => new
    {
        id = w.Id,
        url = w.Url.AbsoluteUri,
        events = Names(w.EventMask),
        enabled = w.Enabled,
        createdAt = w.CreatedAt,
        secret = withSecret ? w.Secret : null,
        cursor = w.Cursor,
    };

    private static IResult NotFound(string id) => Results.Problem(title: "Not found", detail: $"No webhook {id}.", statusCode: StatusCodes.Status404NotFound);
}
