using System.Data.Common;

namespace Sluice.Http;

/// <summary>
/// A request that needs the state store while it is out of reach (a cluster's PostgreSQL
/// restarting, a busy state.db) answers 503 with a problem and Retry-After, not a 500 with nothing
/// said: the caller retries, and mail keeps flowing meanwhile (ADR 0032).
/// </summary>
internal static class StateStoreProblems
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        try
        {
            await next().ConfigureAwait(false);
        }
        catch (DbException ex) when (ex.IsTransient && !context.Response.HasStarted)
        {
            var problem = ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "State store unavailable", "The database that holds keys, templates and suppressions cannot be reached; nothing was changed. Retry later.");
            context.Response.StatusCode = problem.Status;
            context.Response.ContentType = problem.ContentType;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsync(problem.Body).ConfigureAwait(false);
        }
    }
}
