using System.Collections.Concurrent;
using System.Net;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// Every API endpoint needs an API key, and so does /metrics except from <c>Http:MetricsNetworks</c>
/// (loopback by default: a Prometheus next to the node scrapes without a secret); health and
/// readiness need none. A key is sent as <c>Authorization: Bearer sk_…</c> or <c>X-Api-Key</c>. An endpoint names the scope it needs
/// (<see cref="RequiredScope"/>); one that does not needs Read for GET and Admin otherwise. Keys are
/// cached for a few seconds so a request does not cost a database read; a revocation through this
/// node takes effect at once. Problems are application/problem+json: 401 without a valid key, 403
/// without the scope.
/// </summary>
internal sealed class ApiKeyAuthentication(IApiKeyStore keys, TimeProvider time, IReadOnlyList<IPNetwork> metricsNetworks)
{
    public const string ItemKey = "sluice.apiKey";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (ApiKey Key, string Hash, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public static bool IsProtected(PathString path)
        => path.StartsWithSegments("/api", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);

    public void Forget(string id) => _cache.TryRemove(id, out _);

    /// <summary>Drops every cached key (shared state may have changed unseen: ADR 0032).</summary>
    public void ForgetAll() => _cache.Clear();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!IsProtected(context.Request.Path) || (context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal) && FromMetricsNetwork(context.Connection.RemoteIpAddress)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var token = Token(context.Request);
        if (await AuthenticateAsync(token, context.RequestAborted).ConfigureAwait(false) is not { } key)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problem(context, StatusCodes.Status401Unauthorized, "API key required", token is null
                ? "Send an API key as 'Authorization: Bearer sk_…' (or X-Api-Key)."
                : "The API key is unknown, malformed or revoked.").ConfigureAwait(false);
            return;
        }

        var needed = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope
            ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? ApiScopes.Read : ApiScopes.Admin);
        if ((key.Scopes & needed) != needed)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "Scope missing", $"This needs an API key with the '{needed.ToString().ToLowerInvariant()}' scope; key '{key.Name}' has '{key.Scopes.ToString().ToLowerInvariant()}'.").ConfigureAwait(false);
            return;
        }

        context.Items[ItemKey] = key;
        await next(context).ConfigureAwait(false);
    }

    /// <summary>The key a token stands for, if the token is well formed, the key known and not revoked, and the secret right; else null (the API and the dashboard's sign-in both ask here).</summary>
    public async Task<ApiKey?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (ApiKeyToken.Parse(token) is not { } parts || await FindAsync(parts.Id, cancellationToken).ConfigureAwait(false) is not { } found
            || found.Key.IsRevoked || !ApiKeyToken.Verify(parts.Secret, found.Hash))
        {
            return null;
        }

        return found.Key;
    }

    private bool FromMetricsNetwork(IPAddress? client)
    {
        if (client is null)
        {
            return false;
        }

        // A client on an IPv4 address reaching an IPv6 (dual-mode) socket shows as ::ffff:a.b.c.d.
        client = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var network in metricsNetworks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Token(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header.Trim() : null;
    }

    private async Task<(ApiKey Key, string Hash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return (cached.Key, cached.Hash);
        }

        (ApiKey Key, string SecretHash)? stored;
        try
        {
            stored = await keys.FindAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex) when (ex.IsTransient && _cache.TryGetValue(id, out var stale))
        {
            // The state store is out of reach (a cluster's database restarting): a key this node
            // knew goes on working; a revocation announced meanwhile has already dropped it.
            return (stale.Key, stale.Hash);
        }

        if (stored is not { } found)
        {
            return null;
        }

        _cache[id] = (found.Key, found.SecretHash, now + CacheFor);
        return found;
    }

    internal static Task Problem(HttpContext context, int status, string title, string detail)
        => Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
}
