namespace Sluice.Core.Balancing;

/// <summary>
/// The long-lived state of one pool member: its current settings, work in flight, counters and
/// health. A config reload updates the settings in place and keeps the rest.
/// </summary>
public sealed partial class BalancerMember
{
    private readonly TimeProvider _time;
    private int _inFlight;
    private long _selected;

    internal BalancerMember(string pool, BalancerMemberOptions options, int order, HealthCheckOptions health, PassiveHealthOptions passive, TimeProvider time)
    {
        Pool = pool;
        _time = time;
        _health = health;
        _passiveOptions = passive;
        _window = new PassiveHealthWindow(passive.Window);
        Name = options.EffectiveName;
        Address = options.Address;
        Update(options, order);
    }

    public string Pool { get; }

    public string Name { get; }

    /// <summary>HOST:PORT.</summary>
    public string Address { get; }

    public int Weight { get; private set; }

    public int Tier { get; private set; }

    public int MaxConnections { get; private set; }

    /// <summary>Position in the configured list (ties and the First policy follow it).</summary>
    internal int Order { get; private set; }

    /// <summary>Work in flight now (connections or messages, as the user of the pool counts them).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Times this member was picked.</summary>
    public long Selected => Interlocked.Read(ref _selected);

    /// <summary>The smooth weighted round robin score (only <see cref="WeightedRoundRobinPolicy"/> uses it, under the pool's lock).</summary>
    internal long SmoothScore { get; set; }

    /// <summary>Raised on a health change: the member, the new health, and why.</summary>
    public event Action<BalancerMember, MemberHealth, string>? HealthChanged;

    /// <summary>Starts one unit of work on this member; dispose the lease when it ends.</summary>
    public MemberLease Begin()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _selected);
        return new MemberLease(this);
    }

    internal void End() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Takes new work: not drained, not unhealthy by either check, under its connection cap.</summary>
    public bool IsAvailable => Weight > 0 && Health != MemberHealth.Unhealthy && (MaxConnections == 0 || InFlight < MaxConnections);

    /// <summary>Fail-open candidates: anything not drained.</summary>
    internal bool IsUsableAtAll => Weight > 0;

    internal void Update(BalancerMemberOptions options, int order)
    {
        Weight = Math.Max(0, options.Weight);
        Tier = Math.Max(1, options.Tier);
        MaxConnections = Math.Max(0, options.MaxConnections);
        Order = order;
    }
}
