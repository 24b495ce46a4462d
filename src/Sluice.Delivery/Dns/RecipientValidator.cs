using System.Collections.Concurrent;
using Sluice.Core.Intake;
using Sluice.Core.Telemetry;
using Sluice.Smtp;

namespace Sluice.Delivery.Dns;

/// <summary>
/// Does a recipient's domain accept mail? MX (or an address for the implicit MX) yes; null MX
/// (RFC 7505) or NXDOMAIN no; a DNS failure "cannot tell", which never refuses. Verdicts are
/// cached per domain (a day of good answers costs one lookup per domain): positive ones for
/// <see cref="PositiveTtl"/>, negative ones for <see cref="NegativeTtl"/>, on top of the resolver's
/// own TTL-respecting cache. Hits and misses are counted.
/// </summary>
public sealed class RecipientValidator(MxResolver dns, SluiceMetrics metrics, TimeProvider time) : IRecipientDomainCheck
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
            _verdicts[domain] = (refusal, now + (refusal is null ? PositiveTtl : NegativeTtl));
        }

        return refusal;
    }

    /// <summary>RFC 7505 §4.3 and RFC 3463: 5.1.10 for a null MX, 5.1.2 for a domain that does not exist.</summary>
    private static RecipientRefusal Refusal(string address, RefusalCause cause) => cause == RefusalCause.NoMailDomain
        ? new RecipientRefusal(address, cause, "the domain does not accept mail (null MX, RFC 7505)", new SmtpReply(556, new EnhancedStatusCode(5, 1, 10), $"Recipient <{address}>: the domain does not accept mail"))
        : new RecipientRefusal(address, cause, "the domain does not exist", new SmtpReply(550, new EnhancedStatusCode(5, 1, 2), $"Recipient <{address}>: the domain does not exist"));
}
