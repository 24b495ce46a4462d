using Sluice.Core.State;
using Sluice.Core.Templates;

namespace Sluice.Http;

/// <summary>
/// Stored templates: create, read, list, new version (PUT), delete, and preview with variables. A
/// template that does not parse is refused with 422 naming the part, line and reason.
/// </summary>
internal static class TemplatesEndpoints
{
    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/api/v1/templates");

        group.MapPost("/", async (TemplateRequest request, ITemplateStore store, TemplateEngine engine, TemplateCache cache, TimeProvider time, CancellationToken ct) =>
            await SaveAsync(Guid.NewGuid().ToString("N")[..16], 1, request, store, engine, cache, time, ct)).RequireScope(ApiScopes.Admin);

        group.MapPut("/{id}", async (string id, TemplateRequest request, ITemplateStore store, TemplateEngine engine, TemplateCache cache, TimeProvider time, CancellationToken ct) =>
        {
            if (await store.GetTemplateAsync(id, null, ct) is not { } current)
            {
                return NotFound(id);
            }

            return await SaveAsync(id, current.Version + 1, request with { Name = request.Name ?? current.Name }, store, engine, cache, time, ct);
        }).RequireScope(ApiScopes.Admin);

        group.MapGet("/", async (ITemplateStore store, CancellationToken ct) => Results.Ok((await store.ListTemplatesAsync(ct)).Select(View))).RequireScope(ApiScopes.Read);

        group.MapGet("/{id}", async (string id, int? version, ITemplateStore store, CancellationToken ct) =>
            await store.GetTemplateAsync(id, version, ct) is { } template ? Results.Ok(View(template)) : NotFound(id)).RequireScope(ApiScopes.Read);

        group.MapDelete("/{id}", async (string id, ITemplateStore store, TemplateCache cache, CancellationToken ct) =>
        {
            if (!await store.DeleteTemplateAsync(id, ct))
            {
                return NotFound(id);
            }

            await cache.EvictAsync(id);
            return Results.Ok(new { id, deleted = true });
        }).RequireScope(ApiScopes.Admin);

        group.MapPost("/{id}/preview", async (string id, PreviewRequest request, TemplateCache cache, CancellationToken ct) =>
        {
            var (compiled, error) = await cache.GetAsync(id, request.Version, ct);
            if (compiled is null)
            {
                return error is null ? NotFound(id) : Unprocessable(error);
            }

            var (parts, renderError) = await TemplateEngine.RenderAsync(compiled, request.Variables);
            return parts is null ? Unprocessable(renderError!) : Results.Ok(new { id, version = compiled.Version, parts.Subject, parts.Html, parts.Text });
        }).RequireScope(ApiScopes.Read);
    }

    private static IResult Unprocessable(TemplateError error) => ApiProblems.TemplateProblem(error).ToResult(replayed: false);

    private static async Task<IResult> SaveAsync(string id, int version, TemplateRequest request, ITemplateStore store, TemplateEngine engine, TemplateCache cache, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || (request.Html is null && request.Text is null))
        {
            return Results.Problem(title: "Invalid template", detail: "name and at least one of html and text are required.", statusCode: StatusCodes.Status400BadRequest);
        }

        var (compiled, error) = engine.Compile(id, version, request.Subject, request.Html, request.Text);
        if (compiled is null)
        {
            return Unprocessable(error!);
        }

        var template = new Template(id, version, request.Name.Trim(), request.Subject, request.Html, request.Text, time.GetUtcNow());
        var epoch = cache.Epoch;
        await store.AddAsync(template, ct);
        cache.Add(compiled, epoch);
        return version == 1 ? Results.Created($"/api/v1/templates/{id}", View(template)) : Results.Ok(View(template));
    }

    private static object View(Template t) => new { t.Id, t.Version, t.Name, t.Subject, t.Html, t.Text, t.CreatedAt };

    private static IResult NotFound(string id)
        => Results.Problem(title: "Not found", detail: $"No template {id}.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>Resolves a reference (stored or inline) to a compiled template; an error result when it cannot.</summary>
    public static async Task<(CompiledTemplate? Template, TemplateError? Error, bool Unknown)> ResolveAsync(TemplateReference reference, TemplateCache cache, TemplateEngine engine, CancellationToken ct)
    {
        if (reference.Id is { } id)
        {
            var (compiled, error) = await cache.GetAsync(id, reference.Version, ct);
            return (compiled, error, compiled is null && error is null);
        }

        var (inline, inlineError) = engine.Compile("inline", 0, reference.Subject, reference.Html, reference.Text);
        return (inline, inlineError, false);
    }
}
