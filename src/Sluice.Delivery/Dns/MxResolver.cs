using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Sluice.Core.Telemetry;

namespace Sluice.Delivery.Dns;

/// <summary>
/// Resolves a destination domain to the mail exchangers to try (RFC 5321 §5.1): MX records by
/// preference (equal preferences shuffled, §5.1 asks senders to spread load), each host's A then
/// AAAA addresses; no MX at all means the domain itself is the exchanger; a lone "." MX is a null
/// MX (RFC 7505). Answers are cached for their TTL, negative answers per RFC 2308, and concurrent
/// lookups of one domain share a single query.
/// </summary>
public sealed partial class MxResolver
{
    private readonly ILookupClient _dns;
    private readonly DnsOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<int, int> _random;
    private readonly SluiceMetrics? _metrics;
    private readonly ConcurrentDictionary<string, MxResolution> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<MxResolution>>> _inflight = new(StringComparer.Ordinal);
    private readonly IdnMapping _idn = new();
    private readonly ConcurrentDictionary<string, TxtAnswer> _txt = new(StringComparer.Ordinal);
    private readonly Core.Cluster.ISharedCache? _shared;

    /// <param name="shared">The cluster's second-level cache: answers one node looked up, the others read (null: this node's own cache only).</param>
    public MxResolver(ILookupClient dns, DnsOptions options, TimeProvider time, SluiceMetrics? metrics = null, Func<int, int>? random = null, Core.Cluster.ISharedCache? shared = null)
    {
        _dns = dns;
        _shared = shared;
        _options = options;
        _time = time;
        _metrics = metrics;
        _random = random ?? Random.Shared.Next;
    }

    public static ILookupClient CreateClient(DnsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var servers = options.Servers.Select(ParseServer).ToArray();
        var lookup = servers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(servers);

        // Our cache honours TTLs and RFC 2308 itself; DnsClient's would hide them from us.
        lookup.UseCache = false;
        lookup.Timeout = options.Timeout;
        lookup.Retries = options.Retries;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        return new LookupClient(lookup);
    }

    public static NameServer ParseServer(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (IPEndPoint.TryParse(server, out var endpoint) && (endpoint.Port != 0 || server.EndsWith(":0", StringComparison.Ordinal)))
        {
            return new NameServer(endpoint);
        }

        return new NameServer(IPAddress.Parse(server), 53);
    }

    public async ValueTask<MxResolution> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        var key = Normalize(domain);
        if (_cache.TryGetValue(key, out var cached) && _time.GetUtcNow() < cached.ExpiresAt)
        {
            _metrics?.DnsLookups.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return cached;
        }

        var lookup = _inflight.GetOrAdd(key, k => new Lazy<Task<MxResolution>>(() => SharedOrLookupAsync(Core.Cluster.SharedCacheKind.MxAnswer, k, () => LookupAsync(k, CancellationToken.None))));
        try
        {
            var result = await lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            _cache[key] = result;
            return result;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Lazy<Task<MxResolution>>>(key, lookup));
        }
    }

    /// <summary>Addresses of one host (a smarthost given by name), cached under its own key.</summary>
    /// <summary>
    /// The addresses of a relay (smarthost, pool member): an IP literal as it is, a name through
    /// <see cref="ResolveHostAsync"/>. Null hosts, with the reason, when the name does not resolve.
    /// </summary>
    public async ValueTask<(IReadOnlyList<MxHost>? Hosts, string? Detail)> ResolveRelayAsync(string host, CancellationToken cancellationToken)
    {
        if (System.Net.IPAddress.TryParse(host, out var ip))
        {
            return ([new MxHost(host, 0, [ip])], null);
        }

        var resolved = await ResolveHostAsync(host, cancellationToken).ConfigureAwait(false);
        return resolved.Kind == MxResolutionKind.Hosts && resolved.Hosts.Count > 0 ? (resolved.Hosts, null) : (null, resolved.Detail ?? "no address");
    }

    public async ValueTask<MxResolution> ResolveHostAsync(string host, CancellationToken cancellationToken)
    {
        var key = "host:" + Normalize(host);
        if (_cache.TryGetValue(key, out var cached) && _time.GetUtcNow() < cached.ExpiresAt)
        {
            _metrics?.DnsLookups.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return cached;
        }

        var name = Normalize(host);
        var result = await SharedOrLookupAsync(Core.Cluster.SharedCacheKind.HostAnswer, name, () => ResolveHostsAsync(name, [(name, 0)], _options.MaxTtl, implicitMx: true, cancellationToken)).ConfigureAwait(false);
        _cache[key] = result;
        return result;
    }

    /// <summary>
    /// The TXT strings at <paramref name="name"/> (each record's strings joined, RFC 7208 §3.3), cached
    /// for the answer's TTL (at most <see cref="DnsOptions.MaxTtl"/>), which the answer carries; empty
    /// when there are none or the name does not exist (cached five minutes); null when the lookup failed.
    /// </summary>
    public async ValueTask<TxtAnswer?> TxtAsync(string name, CancellationToken cancellationToken)
    {
        var key = Normalize(name);
        var now = _time.GetUtcNow();
        if (_txt.TryGetValue(key, out var cached) && now < cached.ExpiresAt)
        {
            return cached;
        }

        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(key, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException)
        {
            return null;
        }

        if (response.Header.ResponseCode is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain))
        {
            return null;
        }

        var texts = new List<string>();
        var ttl = _options.MaxTtl;
        foreach (var record in response.Answers.TxtRecords())
        {
            texts.Add(string.Concat(record.Text));
            ttl = TimeSpan.FromSeconds(Math.Min(ttl.TotalSeconds, record.InitialTimeToLive));
        }

        var answer = new TxtAnswer(texts, now + (texts.Count == 0 ? TimeSpan.FromMinutes(5) : ttl));
        _txt[key] = answer;
        return answer;
    }

    private string Normalize(string domain)
    {
        var trimmed = domain.Trim().TrimEnd('.');

        // U-labels (RFC 6531 addresses) are looked up as A-labels.
        return _idn.GetAscii(trimmed).ToLowerInvariant();
    }

    private async Task<MxResolution> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(domain, QueryType.MX, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            return Failure(domain, ex.Message);
        }

        switch (response.Header.ResponseCode)
        {
            case DnsHeaderResponseCode.NoError:
                break;
            case DnsHeaderResponseCode.NotExistentDomain:
                return new MxResolution(domain, MxResolutionKind.NoSuchDomain, [], Expiry(NegativeTtl(response)), "NXDOMAIN");
            default:
                return Failure(domain, response.Header.ResponseCode.ToString());
        }

        var records = response.Answers.MxRecords().ToList();
        if (records.Count == 0)
        {
            // RFC 5321 §5.1: no MX records, the domain is its own implicit MX with preference 0.
            return await ResolveHostsAsync(domain, [(domain, 0)], NegativeTtl(response), implicitMx: true, cancellationToken).ConfigureAwait(false);
        }

        if (records.Count == 1 && records[0].Exchange.Value is "." or "" && records[0].Preference == 0)
        {
            return new MxResolution(domain, MxResolutionKind.NullMx, [], Expiry(Ttl(records[0].TimeToLive)), "null MX (RFC 7505)");
        }

        var byPreference = records.Where(r => r.Exchange.Value is not ("." or "")).OrderBy(r => r.Preference).ToList();
        var ordered = ShuffledByPreference(byPreference, static r => r.Preference)
            .ConvertAll(r => (r.Exchange.Value.TrimEnd('.').ToLowerInvariant(), (int)r.Preference));
        var ttl = Ttl(records.Min(r => r.TimeToLive));
        return await ResolveHostsAsync(domain, ordered, ttl, implicitMx: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MxResolution> ResolveHostsAsync(string domain, List<(string Name, int Preference)> hosts, TimeSpan ttl, bool implicitMx, CancellationToken cancellationToken)
    {
        var lookups = hosts.Select(h => ResolveAddressesAsync(h.Name, cancellationToken)).ToArray();
        var answers = await Task.WhenAll(lookups).ConfigureAwait(false);
        var resolved = new List<MxHost>();
        var temporary = false;
        for (var i = 0; i < hosts.Count; i++)
        {
            var (addresses, addressTtl, failed) = answers[i];
            temporary |= failed;
            if (addresses.Count > 0)
            {
                resolved.Add(new MxHost(hosts[i].Name, hosts[i].Preference, addresses));
                ttl = addressTtl < ttl ? addressTtl : ttl;
            }
        }

        if (resolved.Count > 0)
        {
            return new MxResolution(domain, MxResolutionKind.Hosts, resolved, Expiry(ttl));
        }

        if (temporary)
        {
            return Failure(domain, "address lookup of the mail exchangers failed");
        }

        return new MxResolution(domain, MxResolutionKind.NoSuchDomain, [], Expiry(_options.NegativeTtl), implicitMx ? "no MX and no address records" : "no MX host has an address");
    }

    private async Task<(List<IPAddress> Addresses, TimeSpan Ttl, bool Failed)> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = new List<IPAddress>();
        var ttl = _options.MaxTtl;
        var failed = false;
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            try
            {
                var response = await _dns.QueryAsync(host, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                if (response.Header.ResponseCode is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain))
                {
                    failed = true;
                    continue;
                }

                foreach (var record in response.Answers.OfType<AddressRecord>())
                {
                    addresses.Add(record.Address);
                    var recordTtl = Ttl(record.TimeToLive);
                    ttl = recordTtl < ttl ? recordTtl : ttl;
                }
            }
            catch (DnsResponseException)
            {
                failed = true;
            }
        }

        return (addresses, ttl, failed);
    }

    /// <summary>
    /// <paramref name="sorted"/> (ordered by preference) with each run of equal preference in a
    /// random order (RFC 5321 §5.1 asks senders to spread load over equal MX hosts).
    /// </summary>
    private List<T> ShuffledByPreference<T>(IReadOnlyList<T> sorted, Func<T, int> preference)
    {
        var result = new List<T>(sorted.Count);
        var start = 0;
        while (start < sorted.Count)
        {
            var end = start + 1;
            while (end < sorted.Count && preference(sorted[end]) == preference(sorted[start]))
            {
                end++;
            }

            for (var i = start; i < end; i++)
            {
                result.Add(sorted[i]);
            }

            for (var i = end - 1; i > start; i--)
            {
                var j = start + _random(i - start + 1);
                (result[i], result[j]) = (result[j], result[i]);
            }

            start = end;
        }

        return result;
    }

    private MxResolution Failure(string domain, string detail)
        => new(domain, MxResolutionKind.TemporaryFailure, [], Expiry(_options.FailureTtl), detail);

    /// <summary>RFC 2308 §5: the negative TTL is the SOA's MINIMUM (capped by the SOA's own TTL).</summary>
    private TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        var soa = response.Authorities.SoaRecords().FirstOrDefault();
        return soa is null ? _options.NegativeTtl : Ttl((int)Math.Min(soa.Minimum, (uint)soa.TimeToLive));
    }

    private TimeSpan Ttl(int seconds)
    {
        var ttl = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return ttl < _options.MinTtl ? _options.MinTtl : ttl > _options.MaxTtl ? _options.MaxTtl : ttl;
    }

    private DateTimeOffset Expiry(TimeSpan ttl) => _time.GetUtcNow() + ttl;
}
