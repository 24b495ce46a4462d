using Sluice.Core.Balancing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>
/// The outbound relay pools: the balancing library's pool set plus each member's TLS and AUTH
/// settings, reloaded with the delivery policy. Health and in-flight counts survive reloads.
/// </summary>
public sealed class RelayPools
{
    private Dictionary<(string Pool, string Member), RelayMemberSettings> _settings = [];

    public RelayPools(IReadOnlyList<BalancerPoolOptions> pools, TimeProvider time, Random random, Core.Telemetry.SluiceMetrics? metrics = null)
    {
        Set = new BalancerPoolSet(pools, time, random);
        _settings = Settings(pools);
        if (metrics is not null)
        {
            BalancerMetrics.Register(metrics.Meter, Set, "{message}", "Messages in flight to each pool member.");
        }
    }

    public BalancerPoolSet Set { get; }

    /// <summary>Applies reloaded (validated) pools; returns the changes.</summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<BalancerPoolOptions> pools)
    {
        var changes = Set.Apply(pools);
        Volatile.Write(ref _settings, Settings(pools));
        return changes;
    }

    public RelayMemberSettings SettingsOf(BalancerMember member)
        => Volatile.Read(ref _settings).TryGetValue((member.Pool, member.Name), out var settings) ? settings : new RelayMemberSettings(null, null, null);

    private static Dictionary<(string, string), RelayMemberSettings> Settings(IReadOnlyList<BalancerPoolOptions> pools)
    {
        var settings = new Dictionary<(string, string), RelayMemberSettings>();
        foreach (var pool in pools)
        {
            foreach (var member in pool.Members)
            {
                TlsPolicy? tls = member.Tls is { } t && Enum.TryParse<TlsPolicy>(t, true, out var parsed) ? parsed
                    : member.Username is not null ? TlsPolicy.Required
                    : null;
                settings[(pool.Name, member.EffectiveName)] = new RelayMemberSettings(tls, member.Username, member.Password);
            }
        }

        return settings;
    }
}
