using Sluice.Core.State;
using Sluice.Http;

namespace Sluice.Dashboard;

/// <summary>
/// The web dashboard under <c>/ui</c>, rendered on the server without script: sign in with an API
/// key (kept in a server-side session), then overview, queue, pools, deliverability and messages.
/// Viewing needs the key's <c>read</c> scope, changes (suspend, resume, flush) <c>admin</c>; a change
/// must come from a page of this node (the session cookie is SameSite=Strict and the Origin is checked).
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/ui", StringComparison.Ordinal))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Layout.ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                headers.CacheControl = "no-store";
            }

            await next(context);
        });

        app.MapGet("/ui/static/site.css", () => Results.Text(Layout.Stylesheet, "text/css; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/ui/login", (string? next) => LoginPage.Render(next, error: null)).ExcludeFromDescription();
        app.MapPost("/ui/login", LoginPage.SignInAsync).ExcludeFromDescription();
        app.MapPost("/ui/logout", (HttpContext context, DashboardSessions sessions) =>
        {
            sessions.Remove(context.Request.Cookies[DashboardSessions.Cookie]);
            context.Response.Cookies.Delete(DashboardSessions.Cookie, new CookieOptions { Path = "/ui" });
            return Results.Redirect("/ui/login");
        }).ExcludeFromDescription();

        var pages = app.MapGroup("/ui").AddEndpointFilter(SignedInAsync).ExcludeFromDescription();
        pages.MapGet("/", OverviewPage.RenderAsync);
        pages.MapGet("/queue", QueuePage.RenderAsync);
        pages.MapPost("/queue/{action}", QueuePage.ActAsync);
        pages.MapGet("/pools", PoolsPage.Render);
        pages.MapGet("/deliverability", DeliverabilityPage.RenderAsync);
        pages.MapPost("/deliverability/resume", DeliverabilityPage.ResumeAsync);
        pages.MapGet("/messages", MessagesPage.RenderAsync);
        pages.MapGet("/messages/{id}", MessagePage.RenderAsync);
    }

    /// <summary>Who may see a page: a live session whose key still authenticates and has the scope; otherwise the sign-in page (or a refusal).</summary>
    private static async ValueTask<object?> SignedInAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var sessions = context.RequestServices.GetRequiredService<DashboardSessions>();
        var auth = context.RequestServices.GetRequiredService<ApiKeyAuthentication>();
        var token = sessions.Token(context.Request.Cookies[DashboardSessions.Cookie]);
        if (await auth.AuthenticateAsync(token, context.RequestAborted) is not { } key)
        {
            return HttpMethods.IsGet(context.Request.Method)
                ? Results.Redirect("/ui/login" + Html.Query(("next", context.Request.Path + context.Request.QueryString)))
                : Results.Redirect("/ui/login");
        }

        var change = !HttpMethods.IsGet(context.Request.Method);
        if (change && !SameOrigin(context))
        {
            return Layout.Page("Refused", "Overview", "<p class=\"error\">A change must be made from this dashboard's own pages.</p>", status: StatusCodes.Status403Forbidden);
        }

        var needed = change ? ApiScopes.Admin : ApiScopes.Read;
        if ((key.Scopes & needed) != needed)
        {
            return Layout.Page("Not allowed", "Overview", $"<p class=\"error\">This needs an API key with the '{needed.ToString().ToLowerInvariant()}' scope; key '{Html.E(key.Name)}' has '{Html.E(key.Scopes.ToString().ToLowerInvariant())}'.</p>", status: StatusCodes.Status403Forbidden);
        }

        context.Items[ApiKeyAuthentication.ItemKey] = key;
        return await next(invocation);
    }

    /// <summary>Browsers send Origin with every form post; when present it must be this host.</summary>
    private static bool SameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Where to go after signing in: a dashboard path only (never another site).</summary>
    internal static string SafeNext(string? next)
        => next is { Length: > 0 } && next.StartsWith("/ui", StringComparison.Ordinal) && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal) ? next : "/ui";
}
