using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.MtaSts;

/// <summary>
/// Recipient domains' MTA-STS policies (RFC 8461): the <c>_mta-sts</c> TXT record says a policy
/// exists and its id; the policy itself is fetched over HTTPS from <c>mta-sts.DOMAIN</c> (certificate
/// validated, no redirects) and cached until its max_age, fetched again only when the id changes.
/// A cached policy outlives a missing TXT record or a failed fetch (§5.1: that is what stops a
/// downgrade), and survives a restart (<c>mta-sts.json</c>). Names resolve through the node's own
/// DNS settings, like MX lookups.
/// </summary>
public sealed partial class MtaStsResolver : IDisposable
{
    private const int MaxPolicyBytes = 64 * 1024;
    private readonly MxResolver _dns;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _file;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, MtaStsPolicy> _policies = new(StringComparer.OrdinalIgnoreCase);

    // The TXT record's id per domain until its answer expires: the look-up on every domain group of
    // every message is then one dictionary read, with no name built or normalized.
    private readonly ConcurrentDictionary<string, (string? Id, DateTimeOffset Until)> _ids = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<MtaStsPolicy?>>> _fetching = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<MtaStsPolicy, (IReadOnlyList<MxHost> Hosts, List<MxHost> Allowed)> _allowed = new(ReferenceEqualityComparer.Instance);
    private readonly LogGate<string> _failures;
    private readonly Lock _saveLock = new();

    public MtaStsResolver(MxResolver dns, MtaStsOptions options, TimeProvider time, ILogger logger, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dns = dns;
        _options = options;
        _time = time;
        _logger = logger;
        _file = file;
        _failures = new LogGate<string>(time, TimeSpan.FromMinutes(10));
        // RFC 8461 §3.3: a policy fetch MUST NOT follow redirects (NodeDnsHttp follows none).
        _http = NodeDnsHttp.Create(dns, options.FetchTimeout, MaxPolicyBytes);
        foreach (var policy in (file is null ? null : DurableJsonFile.Read<List<MtaStsPolicy>>(file)) ?? [])
        {
            if (policy.ExpiresAt > time.GetUtcNow())
            {
                _policies[policy.Domain] = policy;
            }
        }
    }

    /// <summary>The policy in force for <paramref name="domain"/>, or null when it has none.</summary>
    public async ValueTask<MtaStsPolicy?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var now = _time.GetUtcNow();
        var cached = _policies.TryGetValue(domain, out var known) && known.ExpiresAt > now ? known : null;
        string? id;
        if (_ids.TryGetValue(domain, out var recent) && recent.Until > now)
        {
            id = recent.Id;
        }
        else
        {
            var answer = await _dns.TxtAsync("_mta-sts." + domain, cancellationToken).ConfigureAwait(false);
            id = Id(answer?.Texts);

            // A failed look-up is asked again next time; an answer is kept as long as the DNS keeps it.
            if (answer is not null)
            {
                _ids[domain] = (id, answer.ExpiresAt);
            }
        }

        if (id is null || (cached is not null && cached.Id == id))
        {
            return cached;
        }

        var fetch = _fetching.GetOrAdd(domain, d => new Lazy<Task<MtaStsPolicy?>>(() => FetchAsync(d, id)));
        try
        {
            return await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false) ?? cached;
        }
        finally
        {
            _fetching.TryRemove(new KeyValuePair<string, Lazy<Task<MtaStsPolicy?>>>(domain, fetch));
        }
    }

    /// <summary>The cached policy of <paramref name="domain"/> (no lookup), for reports.</summary>
    public MtaStsPolicy? Cached(string domain) => _policies.TryGetValue(domain, out var policy) && policy.ExpiresAt > _time.GetUtcNow() ? policy : null;

    /// <summary>Raised when a domain's policy could not be fetched (its TXT record says it has one).</summary>
    public event Action<string, string>? FetchFailedFor;

    /// <summary>The hosts an enforced policy lets mail go to (remembered for the same answer, so the hot path allocates nothing).</summary>
    public IReadOnlyList<MxHost> Allowed(MtaStsPolicy policy, IReadOnlyList<MxHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (_allowed.TryGetValue(policy, out var known) && ReferenceEquals(known.Hosts, hosts))
        {
            return known.Allowed;
        }

        var allowed = policy.Filter(hosts);
        _allowed[policy] = (hosts, allowed);
        return allowed;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The id of the one TXT record that starts with v=STSv1 (§3.1: none or several: no policy).</summary>
    private static string? Id(IReadOnlyList<string>? texts)
    {
        string? id = null;
        var found = 0;
        foreach (var text in texts ?? [])
        {
            if (!text.StartsWith("v=STSv1", StringComparison.Ordinal))
            {
                continue;
            }

            found++;
            foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("id=", StringComparison.Ordinal) && part.Length > 3)
                {
                    id = part[3..];
                }
            }
        }

        return found == 1 ? id : null;
    }

    private async Task<MtaStsPolicy?> FetchAsync(string domain, string id)
    {
        var url = new Uri($"https://mta-sts.{domain}:{_options.HttpsPort}/.well-known/mta-sts.txt");
        string? error;
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                error = $"HTTP {(int)response.StatusCode}";
            }
            else if (response.Content.Headers.ContentType?.MediaType is not "text/plain")
            {
                error = $"media type {response.Content.Headers.ContentType?.MediaType ?? "none"}, not text/plain";
            }
            else
            {
                var (policy, invalid) = MtaStsPolicy.Parse(domain, id, await response.Content.ReadAsStringAsync().ConfigureAwait(false), _time.GetUtcNow());
                if (policy is not null)
                {
                    // The policy it replaces takes its remembered host lists with it.
                    if (_policies.TryGetValue(domain, out var replaced))
                    {
                        _allowed.TryRemove(replaced, out _);
                    }

                    _policies[domain] = policy;
                    Save();
                    PolicyFetched(_logger, domain, policy.Id, policy.Mode, policy.Mx.Count, policy.MaxAge);
                    return policy;
                }

                error = invalid;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            error = ex.Message;
        }

        FetchFailedFor?.Invoke(domain, error ?? "unknown");
        if (_failures.ShouldLog(domain, out var unlogged))
        {
            FetchFailed(_logger, domain, url, error ?? "unknown", unlogged);
        }

        return null;
    }

    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        lock (_saveLock)
        {
            DurableJsonFile.Write(_file, _policies.Values.ToList());
        }
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "MTA-STS policy of {Domain} fetched: id {Id}, mode {Mode}, {MxCount} MX patterns, cached for {MaxAge}")]
    private static partial void PolicyFetched(ILogger logger, string domain, string id, MtaStsMode mode, int mxCount, TimeSpan maxAge);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} could not be fetched from {Url}: {Error} ({Unlogged} more not logged); a cached policy stays in force")]
    private static partial void FetchFailed(ILogger logger, string domain, Uri url, string error, long unlogged);
}
