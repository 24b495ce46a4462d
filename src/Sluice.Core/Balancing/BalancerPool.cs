namespace Sluice.Core.Balancing;

/// <summary>
/// One pool's long-lived state: its members in tier order, its policy and the policy's state.
/// Picks take the pool's lock (pools are small and a pick is a few comparisons).
/// </summary>
public sealed class BalancerPool
{
    private readonly Lock _lock = new();
    private readonly List<BalancerMember> _candidates = [];
    private readonly TimeProvider _time;
    private BalancerMember[] _members = [];
    private uint _roundRobin;

    internal BalancerPool(BalancerPoolOptions options, Random random, TimeProvider time)
    {
        Name = options.Name;
        Random = random;
        _time = time;
        Options = options;
        Policy = Resolve(options.Policy);
        Apply(options, null);
    }

    public string Name { get; }

    public BalancerPoolOptions Options { get; private set; }

    public ILoadBalancingPolicy Policy { get; private set; }

    /// <summary>Members in tier order, then configured order.</summary>
    public IReadOnlyList<BalancerMember> Members => Volatile.Read(ref _members);

    /// <summary>The pool's random source (injected: tests script the picks).</summary>
    internal Random Random { get; }

    /// <summary>Raised on any member's health change.</summary>
    public event Action<BalancerMember, MemberHealth, string>? HealthChanged;

    internal uint NextRoundRobin() => _roundRobin++;

    /// <summary>
    /// A member of the lowest tier that has an available one (active-active within a tier,
    /// active-passive across tiers), chosen by the policy; null when none is available.
    /// <paramref name="exclude"/> skips members already tried for this piece of work.
    /// </summary>
    public BalancerMember? Pick(Func<BalancerMember, bool>? exclude = null) => Pick(exclude, failOpen: false);

    internal BalancerMember? Pick(Func<BalancerMember, bool>? exclude, bool failOpen)
    {
        lock (_lock)
        {
            var members = _members;
            var i = 0;
            while (i < members.Length)
            {
                var tier = members[i].Tier;
                _candidates.Clear();
                for (; i < members.Length && members[i].Tier == tier; i++)
                {
                    var m = members[i];
                    if ((failOpen ? m.IsUsableAtAll : m.IsAvailable) && (exclude is null || !exclude(m)))
                    {
                        _candidates.Add(m);
                    }
                }

                if (_candidates.Count > 0)
                {
                    return Policy.Pick(_candidates, this);
                }
            }

            return null;
        }
    }

    /// <summary>Applies reloaded options: members are matched by name and keep their state; returns what changed.</summary>
    internal void Apply(BalancerPoolOptions options, List<string>? changes)
    {
        lock (_lock)
        {
            var old = _members.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
            var next = new List<BalancerMember>(options.Members.Count);
            for (var order = 0; order < options.Members.Count; order++)
            {
                var config = options.Members[order];
                var name = config.EffectiveName;
                if (old.Remove(name, out var kept) && string.Equals(kept.Address, config.Address, StringComparison.OrdinalIgnoreCase))
                {
                    if (kept.Weight != Math.Max(0, config.Weight) || kept.Tier != Math.Max(1, config.Tier) || kept.MaxConnections != Math.Max(0, config.MaxConnections))
                    {
                        changes?.Add($"changed {Name}/{name}: weight {kept.Weight}→{config.Weight}, tier {kept.Tier}→{config.Tier}, max connections {kept.MaxConnections}→{config.MaxConnections}");
                    }

                    kept.Update(config, order);
                    kept.UpdateHealthOptions(options.HealthCheck, options.Passive);
                    next.Add(kept);
                }
                else
                {
                    // New, or the same name at another address: another server, so fresh state.
                    var member = new BalancerMember(Name, config, order, options.HealthCheck, options.Passive, _time);
                    member.HealthChanged += (m, h, why) => HealthChanged?.Invoke(m, h, why);
                    next.Add(member);
                    changes?.Add($"added {Name}/{name} ({config.Address})");
                }
            }

            foreach (var removed in old.Values)
            {
                // Work in flight on it finishes; it just gets no more.
                changes?.Add($"removed {Name}/{removed.Name} ({removed.InFlight} in flight finish there)");
            }

            next.Sort((a, b) => a.Tier != b.Tier ? a.Tier.CompareTo(b.Tier) : a.Order.CompareTo(b.Order));
            if (!string.Equals(Policy.Name, options.Policy, StringComparison.OrdinalIgnoreCase))
            {
                changes?.Add($"policy of {Name}: {Policy.Name}→{options.Policy}");
                Policy = Resolve(options.Policy);
            }

            Options = options;
            Volatile.Write(ref _members, [.. next]);
        }
    }

    private static ILoadBalancingPolicy Resolve(string name)
        => LoadBalancingPolicies.TryGet(name, out var policy) ? policy : throw new ArgumentException($"unknown load balancing policy '{name}'", nameof(name));
}
