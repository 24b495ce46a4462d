using System.Collections.Concurrent;
using System.Net;
using Sluice.Core.Cluster;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// Every API endpoint needs an API key, and so does /metrics except from <c>Http:MetricsNetworks</c>
/// (loopback by default: a Prometheus next to the node scrapes without a secret); health and
/// readiness need none. A key is sent as <c>Authorization: Bearer sk_…</c> or <c>X-Api-Key</c>. An endpoint names the scope it needs
/// (<see cref="RequiredScope"/>); one that does not needs Read for GET and Admin otherwise. Keys are
/// cached for a few seconds so a request does not cost a database read — in a cluster also in its
/// second-level cache, so another node's lookup serves this one —; a revocation takes effect at
/// once (on every node of a cluster as soon as it hears of it). Problems are
/// application/problem+json: 401 without a valid key, 403 without the scope.
/// </summary>
internal sealed class ApiKeyAuthentication
{
    public const string ItemKey = "sluice.apiKey";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SharedFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (ApiKey Key, string Hash, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly IApiKeyStore _keys;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IPNetwork> _metricsNetworks;
    private readonly Core.Cluster.ISharedCache? _shared;

    /// <param name="shared">The cluster's second-level cache; only where the keys themselves are shared (a cluster database), else null.</param>
    public ApiKeyAuthentication(IApiKeyStore keys, TimeProvider time, IReadOnlyList<IPNetwork> metricsNetworks, Core.Cluster.ISharedCache? shared = null)
    {
        _keys = keys;
        _time = time;
        _metricsNetworks = metricsNetworks;
        _shared = shared;
        shared.FollowInvalidations(Core.Cluster.SharedCacheKind.ApiKey, id => _cache.TryRemove(id, out _));
    }

    public static bool IsProtected(PathString path)
        => path.StartsWithSegments("/api", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);

    /// <summary>The key changed (revoked, created): dropped from the shared cache first, then from this node's, so nothing re-reads the old one.</summary>
    public async Task ForgetAsync(string id)
    {
        if (_shared is not null)
        {
            await _shared.InvalidateAsync(Core.Cluster.SharedCacheKind.ApiKey, id).ConfigureAwait(false);
        }

        _cache.TryRemove(id, out _);
    }

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
        foreach (var network in _metricsNetworks)
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
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return (cached.Key, cached.Hash);
        }

        var sharedKey = new Core.Cluster.SharedCacheKey(Core.Cluster.SharedCacheKind.ApiKey, id);
        var entry = _shared is null ? default : await _shared.GetAsync(sharedKey).ConfigureAwait(false);
        if (entry.Value is { } bytes && Decode(bytes) is { } known)
        {
            _cache[id] = (known.Key, known.Hash, now + CacheFor);
            return (known.Key, known.Hash);
        }

        (ApiKey Key, string SecretHash)? stored;
        try
        {
            stored = await _keys.FindAsync(id, cancellationToken).ConfigureAwait(false);
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
        _shared?.Put(sharedKey, entry.Generation, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new CachedApiKey(found.Key, found.SecretHash), CachedApiKeyJson.Default.CachedApiKey), SharedFor);
        return found;
    }

    private static CachedApiKey? Decode(byte[] bytes)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(bytes, CachedApiKeyJson.Default.CachedApiKey);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    internal static Task Problem(HttpContext context, int status, string title, string detail)
        => Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
}
