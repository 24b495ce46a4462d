using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// The Idempotency-Key header (as Stripe and the IETF draft use it): the first request with a key
/// runs and its answer is kept for 24 hours; a retry with the same key and the same request gets
/// that answer again (Idempotent-Replayed: true) and queues nothing; the same key with a different
/// request is 422; a retry while the first is still running is 409. A server error (5xx) is not
/// kept, so the retry runs for real.
/// </summary>
internal static class Idempotency
{
    public const string Header = "Idempotency-Key";
    private static readonly TimeSpan KeepFor = TimeSpan.FromHours(24);

    public static async Task<IResult> RunAsync(HttpContext context, SpooledBody body, IIdempotencyStore store, TimeProvider time, Func<Task<IdempotentResponse>> handler)
    {
        var key = context.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return (await handler().ConfigureAwait(false)).ToResult(replayed: false);
        }

        if (key.Length > 255)
        {
            return Results.Problem(title: "Invalid Idempotency-Key", detail: "At most 255 characters.", statusCode: StatusCodes.Status400BadRequest);
        }

        var apiKey = (ApiKey)context.Items[ApiKeyAuthentication.ItemKey]!;
        var hash = body.Hash!;
        var now = time.GetUtcNow();
        var existing = await store.TryReserveAsync(apiKey.Id, key, hash, now, now + KeepFor, context.RequestAborted).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.RequestHash != hash)
            {
                return Results.Problem(title: "Idempotency-Key reused", detail: $"The key '{key}' was used for a different request in the last 24 hours.", statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            return existing.Status is { } status
                ? new IdempotentResponse(status, "application/json", existing.Body ?? string.Empty).ToResult(replayed: true)
                : Results.Problem(title: "Request in progress", detail: $"A request with the key '{key}' is still being processed; retry shortly.", statusCode: StatusCodes.Status409Conflict);
        }

        IdempotentResponse response;
        try
        {
            response = await handler().ConfigureAwait(false);
        }
        catch
        {
            await store.ReleaseAsync(apiKey.Id, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (response.Status >= 500)
        {
            await store.ReleaseAsync(apiKey.Id, key, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await store.CompleteAsync(apiKey.Id, key, response.Status, response.Body, CancellationToken.None).ConfigureAwait(false);
        }

        return response.ToResult(replayed: false);
    }
}
