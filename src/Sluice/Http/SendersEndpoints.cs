using System.Globalization;
using Sluice.Core.State;
using Sluice.Delivery.Reputation;

namespace Sluice.Http;

/// <summary>
/// Sender reputation: bounce and complaint rates per sending domain, tag and API key over a sliding
/// window (<c>GET /api/v1/senders</c>), and the senders whose mail is paused — by a brake or by an
/// operator — with pause and resume (<c>/api/v1/senders/pauses</c>).
/// </summary>
internal static class SendersEndpoints
{
    private const int MaxItems = 1000;

    public static void Map(WebApplication app)
    {
        var senders = app.MapGroup("/api/v1/senders");

        senders.MapGet("/", (string? scope, string? window, int? limit, SenderReputation reputation) =>
        {
            SenderScope? only = null;
            if (scope is not null)
            {
                if (!SenderKey.TryParseScope(scope, out var parsed))
                {
                    return Invalid("scope", "sender_domain, tag or api_key.");
                }

                only = parsed;
            }

            var span = reputation.Options.Window;
            if (window is not null && (!TimeSpan.TryParse(window, CultureInfo.InvariantCulture, out span) || span <= TimeSpan.Zero || span > reputation.Options.LongestWindow()))
            {
                return Invalid("window", $"a time span (hh:mm:ss or d.hh:mm:ss) up to the longest window kept, {reputation.Options.LongestWindow():c}.");
            }

            if (limit is < 1 or > MaxItems)
            {
                return Invalid("limit", $"between 1 and {MaxItems}.");
            }

            var pauses = reputation.Pauses().ToDictionary(p => p.Key);
            var rows = reputation.Rates.Snapshot(span).Where(r => only is null || r.Key.Scope == only).ToList();
            rows.Sort((a, b) => b.Totals.Sent.CompareTo(a.Totals.Sent));
            return Results.Ok(new
            {
                window = span.ToString("c", CultureInfo.InvariantCulture),
                items = rows.Take(limit ?? 100).Select(r => new
                {
                    sender = r.Key.ToString(),
                    scope = SenderKey.ScopeName(r.Key.Scope),
                    value = r.Key.Value,
                    sent = r.Totals.Sent,
                    bounced = r.Totals.Bounced,
                    complained = r.Totals.Complained,
                    bounceRate = Math.Round(r.Totals.BounceRate, 6),
                    complaintRate = Math.Round(r.Totals.ComplaintRate, 6),
                    pausedUntil = pauses.TryGetValue(r.Key, out var pause) ? pause.Until : (DateTimeOffset?)null,
                }),
            });
        })
            .RequireScope(ApiScopes.Read)
            .WithSummary("Bounce and complaint rates per sender (sending domain, tag, API key) over the rates' window or a shorter one.");

        senders.MapGet("/pauses", (SenderReputation reputation) => Results.Ok(new { items = reputation.Pauses().Select(View) }))
            .RequireScope(ApiScopes.Read)
            .WithSummary("Senders whose mail is held now, until when and why.");

        senders.MapPost("/pauses", (PauseRequest request, QueueActions actions) =>
        {
            if (!SenderKey.TryParse(request.Sender, out var key))
            {
                return Invalid("sender", "scope:value, the scope sender_domain, tag or api_key (sender_domain:example.com).");
            }

            if (request.Minutes is <= 0 or > 525_600)
            {
                return Invalid("minutes", "between 1 and 525600 (a year).");
            }

            return Results.Ok(View(actions.PauseSender(key, request.Minutes ?? 60, request.Reason)));
        }).WithSummary("Pause a sender's mail: it is held (not failed) until the pause ends or is lifted.");

        senders.MapDelete("/pauses/{sender}", async (string sender, QueueActions actions) =>
        {
            if (!SenderKey.TryParse(sender, out var key))
            {
                return Invalid("sender", "scope:value, the scope sender_domain, tag or api_key.");
            }

            // Its held mail is released at once, due as it was.
            return await actions.ResumeSenderAsync(key) is { } pause
                ? Results.Ok(new { sender = key.ToString(), resumed = true, pausedSince = pause.Since })
                : Results.Problem(title: "Not paused", detail: $"{key} is not paused.", statusCode: StatusCodes.Status404NotFound);
        }).WithSummary("Lift a sender's pause; its held mail goes at once.");
    }

    private static object View(SenderPause pause) => new
    {
        sender = pause.Key.ToString(),
        scope = SenderKey.ScopeName(pause.Key.Scope),
        value = pause.Key.Value,
        since = pause.Since,
        until = pause.Until,
        cause = SenderReputation.CauseName(pause.Cause),
        reason = pause.Reason,
    };

    private static IResult Invalid(string parameter, string detail)
        => Results.ValidationProblem(new Dictionary<string, string[]> { [parameter] = [detail] }, title: "Invalid request");
}
