namespace Sluice.Http;

/// <summary>An answer that can be stored under an Idempotency-Key and replayed: status, content type, body.</summary>
internal sealed record IdempotentResponse(int Status, string ContentType, string Body)
{
    public IResult ToResult(bool replayed)
        => new StoredResult(this, replayed);

    private sealed class StoredResult(IdempotentResponse response, bool replayed) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.Status;
            httpContext.Response.ContentType = response.ContentType;
            if (replayed)
            {
                httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            }

            return httpContext.Response.WriteAsync(response.Body);
        }
    }
}
