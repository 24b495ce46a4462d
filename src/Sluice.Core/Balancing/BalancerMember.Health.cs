namespace Sluice.Core.Balancing;

public sealed partial class BalancerMember
{
    private readonly Lock _healthLock = new();
    private readonly PassiveHealthWindow _window;
    private HealthCheckOptions _health;
    private PassiveHealthOptions _passiveOptions;
    private MemberHealth _active;
    private int _probeSuccesses;
    private int _probeFailures;
    private DateTimeOffset? _passiveUnhealthyUntil;
    private bool _passiveNeedsProbe;

    /// <summary>What the active probes say (Unknown until the thresholds are met, or with checks off).</summary>
    public MemberHealth ActiveHealth
    {
        get
        {
            lock (_healthLock)
            {
                return _active;
            }
        }
    }

    /// <summary>What real traffic says: Unhealthy while resting after too many failures, else Unknown.</summary>
    public MemberHealth PassiveHealth
    {
        get
        {
            lock (_healthLock)
            {
                return PassiveHealthLocked(_time.GetUtcNow());
            }
        }
    }

    /// <summary>Unhealthy if either check says so; Healthy if the probes say so; else Unknown.</summary>
    public MemberHealth Health
    {
        get
        {
            lock (_healthLock)
            {
                return _active == MemberHealth.Unhealthy || PassiveHealthLocked(_time.GetUtcNow()) == MemberHealth.Unhealthy
                    ? MemberHealth.Unhealthy
                    : _active;
            }
        }
    }

    public ProbeResult? LastProbe { get; private set; }

    public DateTimeOffset? LastProbeAt { get; private set; }

    /// <summary>Failed share of the outcomes in the passive window (0 with no outcomes).</summary>
    public double RecentFailureRate
    {
        get
        {
            lock (_healthLock)
            {
                var (samples, failures) = _window.Totals(_time.GetUtcNow());
                return samples == 0 ? 0 : (double)failures / samples;
            }
        }
    }

    /// <summary>Work on this member went through (whatever the peer answered about the message itself).</summary>
    public void ReportSuccess()
    {
        lock (_healthLock)
        {
            if (_passiveOptions.Enabled)
            {
                _window.Record(failure: false, _time.GetUtcNow());
            }
        }
    }

    /// <summary>Work on this member failed by its fault; enough of them in the window make it unhealthy.</summary>
    public void ReportFault(MemberFault fault)
    {
        string? reason = null;
        lock (_healthLock)
        {
            if (!_passiveOptions.Enabled)
            {
                return;
            }

            var now = _time.GetUtcNow();
            _window.Record(failure: true, now);
            var (samples, failures) = _window.Totals(now);
            if (PassiveHealthLocked(now) != MemberHealth.Unhealthy && samples >= _passiveOptions.MinimumSamples
                && failures >= _passiveOptions.FailureRate * samples)
            {
                _passiveUnhealthyUntil = now + _passiveOptions.ReactivationPeriod;
                _passiveNeedsProbe = _health.Enabled;
                _window.Clear();
                reason = $"{failures} of {samples} recent attempts failed (last: {fault})";
            }
        }

        if (reason is not null)
        {
            HealthChanged?.Invoke(this, MemberHealth.Unhealthy, reason);
        }
    }

    /// <summary>Counts a probe towards the healthy/unhealthy thresholds.</summary>
    public void RecordProbe(ProbeResult result)
    {
        MemberHealth? changed = null;
        lock (_healthLock)
        {
            var now = _time.GetUtcNow();
            LastProbe = result;
            LastProbeAt = now;
            var wasUnhealthy = _active == MemberHealth.Unhealthy || PassiveHealthLocked(now) == MemberHealth.Unhealthy;
            if (result.Healthy)
            {
                _probeFailures = 0;
                if (++_probeSuccesses >= _health.HealthyThreshold)
                {
                    _active = MemberHealth.Healthy;
                }

                // A member that traffic made unhealthy returns on the first good probe after its rest.
                if (_passiveUnhealthyUntil is { } until && now >= until)
                {
                    _passiveUnhealthyUntil = null;
                    _passiveNeedsProbe = false;
                }
            }
            else
            {
                _probeSuccesses = 0;
                if (++_probeFailures >= _health.UnhealthyThreshold)
                {
                    _active = MemberHealth.Unhealthy;
                }
            }

            var isUnhealthy = _active == MemberHealth.Unhealthy || PassiveHealthLocked(now) == MemberHealth.Unhealthy;
            if (wasUnhealthy != isUnhealthy)
            {
                changed = isUnhealthy ? MemberHealth.Unhealthy : MemberHealth.Healthy;
            }
        }

        if (changed is { } health)
        {
            HealthChanged?.Invoke(this, health, $"probe: {result.Detail}");
        }
    }

    internal void UpdateHealthOptions(HealthCheckOptions health, PassiveHealthOptions passive)
    {
        lock (_healthLock)
        {
            if (passive.Window != _passiveOptions.Window)
            {
                _window.Resize(passive.Window);
            }

            if (!health.Enabled)
            {
                _active = MemberHealth.Unknown;
                _passiveNeedsProbe = false;
            }

            if (!passive.Enabled)
            {
                _passiveUnhealthyUntil = null;
            }

            _health = health;
            _passiveOptions = passive;
        }
    }

    private MemberHealth PassiveHealthLocked(DateTimeOffset now)
    {
        if (_passiveUnhealthyUntil is not { } until)
        {
            return MemberHealth.Unknown;
        }

        if (now < until || _passiveNeedsProbe)
        {
            return MemberHealth.Unhealthy;
        }

        // Rest over and no probes to wait for: back in, judged by traffic again.
        _passiveUnhealthyUntil = null;
        return MemberHealth.Unknown;
    }
}
