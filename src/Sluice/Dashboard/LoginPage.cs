namespace Sluice.Dashboard;

/// <summary>The sign-in form: an API key (with at least the <c>read</c> scope) opens a session.</summary>
internal static class LoginPage
{
    public static IResult Render(string? next, string? error, int status = StatusCodes.Status200OK)
        => Layout.Page("Sign in", string.Empty, $"""
            <form method="post" action="/ui/login" class="login">
              <p class="muted">Sign in with an API key of this node (read scope to look, admin to suspend, resume and flush).</p>
              {(error is null ? string.Empty : $"<p class=\"error\" role=\"alert\">{Html.E(error)}</p>")}
              <label for="key">API key</label>
              <input id="key" name="key" type="password" autocomplete="current-password" placeholder="sk_…" required autofocus>
              <input type="hidden" name="next" value="{Html.E(DashboardEndpoints.SafeNext(next))}">
              <button type="submit" id="sign-in">Sign in</button>
            </form>
            """, status: status);

    public static async Task<IResult> SignInAsync(HttpContext context, Http.ApiKeyAuthentication auth, DashboardSessions sessions)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["key"].ToString().Trim();
        var next = form["next"].ToString();
        if (await auth.AuthenticateAsync(token, context.RequestAborted) is not { } key)
        {
            return Render(next, "That key is unknown, malformed or revoked.", StatusCodes.Status401Unauthorized);
        }

        if ((key.Scopes & Core.State.ApiScopes.Read) == 0)
        {
            return Render(next, $"Key '{key.Name}' has no read scope.", StatusCodes.Status403Forbidden);
        }

        context.Response.Cookies.Append(DashboardSessions.Cookie, sessions.Create(token), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/ui",
            IsEssential = true,
        });
        return Results.Redirect(DashboardEndpoints.SafeNext(next));
    }
}
