using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>API keys over the API (admin scope): create (the token is shown once), list, revoke.</summary>
internal static class KeysEndpoints
{
    public static void Map(WebApplication app)
    {
        var keys = app.MapGroup("/api/v1/keys").RequireScope(ApiScopes.Admin);

        keys.MapPost("/", async (CreateKeyRequest request, IApiKeyStore store, ApiKeyAuthentication _, TimeProvider time, ILogger<ApiKeyBootstrap> logger, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Name))
            {
                return Results.Problem(title: "Invalid request", detail: "name is required.", statusCode: StatusCodes.Status400BadRequest);
            }

            var scopes = ApiScopes.None;
            foreach (var name in request.Scopes ?? [])
            {
                if (!Enum.TryParse<ApiScopes>(name, ignoreCase: true, out var scope) || scope is ApiScopes.None)
                {
                    return Results.Problem(title: "Invalid request", detail: $"Unknown scope '{name}' (send, read, admin).", statusCode: StatusCodes.Status400BadRequest);
                }

                scopes |= scope;
            }

            if (scopes == ApiScopes.None || request.RequestsPerSecond is <= 0)
            {
                return Results.Problem(title: "Invalid request", detail: "scopes needs at least one of send, read, admin; requestsPerSecond, when given, must be positive.", statusCode: StatusCodes.Status400BadRequest);
            }

            if (request.Validation is not (null or "strict" or "lenient"))
            {
                return Results.Problem(title: "Invalid request", detail: "validation is strict or lenient.", statusCode: StatusCodes.Status400BadRequest);
            }

            var (token, id, hash) = ApiKeyToken.Create();
            var key = new ApiKey(id, request.Name.Trim(), scopes, time.GetUtcNow(), RequestsPerSecond: request.RequestsPerSecond, StrictValidation: request.Validation == "strict");
            await store.AddAsync(key, hash, ct);
            var names = ScopeNames(scopes);
            ApiLog.KeyCreated(logger, id, key.Name, names);
            return Results.Created($"/api/v1/keys/{id}", new { key.Id, key.Name, scopes = names, key.CreatedAt, key.RequestsPerSecond, validation = key.StrictValidation ? "strict" : "lenient", token });
        });

        keys.MapGet("/", async (IApiKeyStore store, CancellationToken ct) =>
            Results.Ok((await store.ListAsync(ct)).Select(k => new { k.Id, k.Name, scopes = ScopeNames(k.Scopes), k.CreatedAt, k.RevokedAt, k.RequestsPerSecond, validation = k.StrictValidation ? "strict" : "lenient" })));

        keys.MapDelete("/{id}", async (string id, IApiKeyStore store, ApiKeyAuthentication auth, TimeProvider time, ILogger<ApiKeyBootstrap> logger, CancellationToken ct) =>
        {
            if (!await store.RevokeAsync(id, time.GetUtcNow(), ct))
            {
                return Results.Problem(title: "Not found", detail: $"No active API key {id}.", statusCode: StatusCodes.Status404NotFound);
            }

            await auth.ForgetAsync(id);
            ApiLog.KeyRevoked(logger, id);
            return Results.Ok(new { id, revoked = true });
        });
    }

    private static string[] ScopeNames(ApiScopes scopes)
        => [.. new[] { ApiScopes.Send, ApiScopes.Read, ApiScopes.Admin }.Where(s => scopes.HasFlag(s)).Select(s => s.ToString().ToLowerInvariant())];
}
