using Sluice.Delivery.Feedback;

namespace Sluice.Unsubscribe;

/// <summary>
/// The one-click endpoint (RFC 8058): <c>POST /u/TOKEN</c> with <c>List-Unsubscribe=One-Click</c>
/// unsubscribes at once, no key, no cookie, as mailbox providers send it. <c>GET</c> only shows a
/// page with a button: link scanners fetch links, and a fetch must not unsubscribe anyone (§3.2).
/// </summary>
internal static class UnsubscribeEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/u/{token}", (string token, SignedTokens tokens) =>
            tokens.ReadLink(token) is { } link
                ? Page(StatusCodes.Status200OK, "Unsubscribe", $"<p>Stop mail from <b>{Dashboard.Html.E(link.SenderDomain)}</b> to <b>{Dashboard.Html.E(link.Recipient)}</b>?</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>")
                : NotFound()).ExcludeFromDescription();

        app.MapPost("/u/{token}", async (string token, SignedTokens tokens, Unsubscriber unsubscriber, CancellationToken ct) =>
        {
            if (tokens.ReadLink(token) is not { } link)
            {
                return NotFound();
            }

            await unsubscriber.ApplyAsync(link.MessageId, link.Recipient, link.SenderDomain, UnsubscribeMethod.OneClick, ct);
            return Page(StatusCodes.Status200OK, "Unsubscribed", $"<p><b>{Dashboard.Html.E(link.Recipient)}</b> will get no more mail from <b>{Dashboard.Html.E(link.SenderDomain)}</b>.</p>");
        }).DisableAntiforgery().ExcludeFromDescription();
    }

    private static IResult NotFound() => Page(StatusCodes.Status404NotFound, "Link not valid", "<p>This unsubscribe link is not valid (it may have been cut short).</p>");

    private static IResult Page(int status, string title, string body)
        => Results.Content($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:1rem\"><h1>{title}</h1>{body}</body></html>", "text/html; charset=utf-8", statusCode: status);
}
