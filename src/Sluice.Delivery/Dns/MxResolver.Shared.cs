using Sluice.Core.Cluster;

namespace Sluice.Delivery.Dns;

public sealed partial class MxResolver
{
    /// <summary>
    /// An answer another node already has (the cluster's second-level cache, for what is left of its
    /// TTL), else this node's own lookup, kept there for the others. A temporary failure is not
    /// shared: the next node asks the DNS itself.
    /// </summary>
    private async Task<MxResolution> SharedOrLookupAsync(SharedCacheKind kind, string name, Func<Task<MxResolution>> lookup)
    {
        var key = new SharedCacheKey(kind, name);
        var entry = _shared is { } cache ? await cache.GetAsync(key).ConfigureAwait(false) : default;
        if (entry.Value is { } bytes && MxResolutionCodec.Decode(bytes) is { } known && _time.GetUtcNow() < known.ExpiresAt)
        {
            _metrics?.DnsLookups.Add(1, new KeyValuePair<string, object?>("result", "shared"));

            // RFC 5321 §5.1: hosts of equal preference in this node's own random order, not the one the first node drew.
            return known with { Hosts = ShuffledByPreference(known.Hosts, static h => h.Preference) };
        }

        _metrics?.DnsLookups.Add(1, new KeyValuePair<string, object?>("result", "miss"));
        var result = await lookup().ConfigureAwait(false);
        if (_shared is { } store && result.Kind != MxResolutionKind.TemporaryFailure)
        {
            store.Put(key, entry.Generation, MxResolutionCodec.Encode(result), result.ExpiresAt - _time.GetUtcNow());
        }

        return result;
    }
}
