using System.Text.Json;

namespace Sluice.Http;

/// <summary>What the sending endpoints do with a template: compile it (stored ones from the cache) and render a request's parts with its variables.</summary>
internal static class TemplateRendering
{
    /// <summary>A stored or inline template, compiled (from the cache when stored); or the problem to answer.</summary>
    public static async Task<(Core.Templates.CompiledTemplate? Template, IdempotentResponse? Problem)> CompileAsync(TemplateReference reference, Submission submission, CancellationToken cancellationToken)
    {
        var (compiled, error, unknown) = await TemplatesEndpoints.ResolveAsync(reference, submission.Templates, submission.Engine, cancellationToken);
        if (compiled is not null)
        {
            return (compiled, null);
        }

        return (null, unknown
            ? ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Unknown template", $"No template {reference.Id}{(reference.Version is { } v ? $" version {v}" : string.Empty)}.")
            : ApiProblems.TemplateProblem(error!));
    }

    /// <summary>The request with subject, html and text rendered from the template (parts the template lacks keep the request's).</summary>
    public static async Task<(SendMessageRequest? Request, Core.Templates.TemplateError? Error)> RenderAsync(Core.Templates.CompiledTemplate template, SendMessageRequest request, JsonElement? variables)
    {
        var (parts, error) = await Core.Templates.TemplateEngine.RenderAsync(template, variables);
        return parts is null
            ? (null, error)
            : (request with { Subject = parts.Subject ?? request.Subject, Html = parts.Html ?? request.Html, Text = parts.Text ?? request.Text }, null);
    }
}
