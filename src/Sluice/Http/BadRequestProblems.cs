using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Sluice.Http;

/// <summary>
/// A request the endpoint could not bind (a JSON body with an unknown field or a wrong type, a
/// query value that is not a number) answers 400 with a problem naming the field and the reason,
/// not an empty 400.
/// </summary>
internal static class BadRequestProblems
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        try
        {
            await next().ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            string field;
            string reason;
            if (ex.InnerException is JsonException json)
            {
                var requestType = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType ?? typeof(object);
                (field, reason) = JsonProblem.Describe(json, requestType);
            }
            else
            {
                (field, reason) = ("request", ex.Message);
            }

            var problem = ApiProblems.InvalidField(field, reason);
            context.Response.StatusCode = problem.Status;
            context.Response.ContentType = problem.ContentType;
            await context.Response.WriteAsync(problem.Body).ConfigureAwait(false);
        }
    }
}
