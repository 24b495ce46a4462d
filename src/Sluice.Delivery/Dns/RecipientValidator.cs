using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Core.Cluster;
using Sluice.Core.Intake;
using Sluice.Core.Telemetry;
using Sluice.Smtp;

namespace Sluice.Delivery.Dns;

/// <summary>
/// Does a recipient's domain accept mail? MX (or an address for the implicit MX) yes; null MX
/// (RFC 7505) or NXDOMAIN no; a DNS failure "cannot tell", which never refuses. Verdicts are
/// cached per domain (a day of good answers costs one lookup per domain): positive ones for
/// <see cref="PositiveTtl"/>, negative ones for <see cref="NegativeTtl"/>, on top of the resolver's
/// own TTL-respecting cache. In a cluster with a second-level cache, a verdict one node reached
/// the others read (until it lapses). Hits, shared hits and misses are counted.
/// </summary>
public sealed class RecipientValidator(MxResolver dns, SluiceMetrics metrics, TimeProvider time, ISharedCache? shared = null) : IRecipientDomainCheck
{
    public static readonly TimeSpan PositiveTtl = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan NegativeTtl = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (RefusalCause? Refusal, DateTimeOffset Until)> _verdicts = new(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<RecipientRefusal?> CheckAsync(string address, string domain, CancellationToken cancellationToken)
        => await CheckDomainAsync(domain, cancellationToken).ConfigureAwait(false) is { } cause ? Refusal(address, cause) : null;

    /// <summary>Null when mail to the domain may be accepted; otherwise why not.</summary>
    private async ValueTask<RefusalCause?> CheckDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_verdicts.TryGetValue(domain, out var cached) && cached.Until > now)
        {
            metrics.ValidationCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return cached.Refusal;
        }

        var key = new SharedCacheKey(SharedCacheKind.DomainVerdict, domain.ToLowerInvariant());
        var entry = shared is not null ? await shared.GetAsync(key).ConfigureAwait(false) : default;
        if (entry.Value is { } bytes && Decode(bytes) is { } known && known.Until > now)
        {
            metrics.ValidationCache.Add(1, new KeyValuePair<string, object?>("result", "shared"));
            _verdicts[domain] = known;
            return known.Refusal;
        }

        metrics.ValidationCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));
        var answer = await dns.ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
        RefusalCause? refusal = answer.Kind switch
        {
            MxResolutionKind.NullMx => RefusalCause.NoMailDomain,
            MxResolutionKind.NoSuchDomain => RefusalCause.NoSuchDomain,
            _ => null,
        };

        // A DNS failure is not remembered: the next message asks again.
        if (answer.Kind is MxResolutionKind.Hosts or MxResolutionKind.NullMx or MxResolutionKind.NoSuchDomain)
        {
            var ttl = refusal is null ? PositiveTtl : NegativeTtl;
            _verdicts[domain] = (refusal, now + ttl);
            shared?.Put(key, entry.Generation, Encode(refusal, now + ttl), ttl);
        }

        return refusal;
    }

    /// <summary>A verdict for the shared cache: the refusal's number (0: none) and its end, "N|unix-ms".</summary>
    private static byte[] Encode(RefusalCause? refusal, DateTimeOffset until)
        => System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(refusal is { } r ? (int)r + 1 : 0)}|{until.ToUnixTimeMilliseconds()}"));

    private static (RefusalCause? Refusal, DateTimeOffset Until)? Decode(byte[] bytes)
    {
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar < 1 || !int.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var cause)
            || !long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            || (cause > 0 && !Enum.IsDefined((RefusalCause)(cause - 1))))
        {
            return null;
        }

        return (cause == 0 ? null : (RefusalCause)(cause - 1), DateTimeOffset.FromUnixTimeMilliseconds(until));
    }

    /// <summary>RFC 7505 §4.3 and RFC 3463: 5.1.10 for a null MX, 5.1.2 for a domain that does not exist.</summary>
    private static RecipientRefusal Refusal(string address, RefusalCause cause) => cause == RefusalCause.NoMailDomain
        ? new RecipientRefusal(address, cause, "the domain does not accept mail (null MX, RFC 7505)", new SmtpReply(556, new EnhancedStatusCode(5, 1, 10), $"Recipient <{address}>: the domain does not accept mail"))
        : new RecipientRefusal(address, cause, "the domain does not exist", new SmtpReply(550, new EnhancedStatusCode(5, 1, 2), $"Recipient <{address}>: the domain does not exist"));
}
