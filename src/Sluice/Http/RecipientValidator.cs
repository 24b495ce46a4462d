using System.Collections.Concurrent;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dns;

namespace Sluice.Http;

/// <summary>
/// Does a recipient's domain accept mail? MX (or an address for the implicit MX) yes; null MX
/// (RFC 7505) or NXDOMAIN no; a DNS failure "cannot tell", which never refuses. Verdicts are
/// cached per domain (a day of good answers costs one lookup per domain): positive ones for
/// <see cref="PositiveTtl"/>, negative ones for <see cref="NegativeTtl"/>, on top of the resolver's
/// own TTL-respecting cache. Hits and misses are counted.
/// </summary>
internal sealed class RecipientValidator(MxResolver dns, SluiceMetrics metrics, TimeProvider time)
{
    public static readonly TimeSpan PositiveTtl = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan NegativeTtl = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, ((string Code, string Reason)? Refusal, DateTimeOffset Until)> _verdicts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when mail to the domain may be accepted; otherwise why not (with its enhanced status code).</summary>
    public async ValueTask<(string Code, string Reason)?> CheckDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_verdicts.TryGetValue(domain, out var cached) && cached.Until > now)
        {
            metrics.ValidationCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return cached.Refusal;
        }

        metrics.ValidationCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));
        var answer = await dns.ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
        (string Code, string Reason)? refusal = answer.Kind switch
        {
            MxResolutionKind.NullMx => ("5.1.10", "the domain does not accept mail (null MX, RFC 7505)"),
            MxResolutionKind.NoSuchDomain => ("5.1.2", "the domain does not exist"),
            _ => null,
        };

        // A DNS failure is not remembered: the next message asks again.
        if (answer.Kind is MxResolutionKind.Hosts or MxResolutionKind.NullMx or MxResolutionKind.NoSuchDomain)
        {
            _verdicts[domain] = (refusal, now + (refusal is null ? PositiveTtl : NegativeTtl));
        }

        return refusal;
    }
}
