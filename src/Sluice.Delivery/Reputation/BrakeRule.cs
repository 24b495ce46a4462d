namespace Sluice.Delivery.Reputation;

/// <summary>
/// A brake: when a sender of <see cref="Scope"/> (every one, or those in <see cref="Senders"/>) has
/// sent at least <see cref="MinimumSent"/> within <see cref="Window"/> and its bounce or complaint
/// rate there is over the maximum, its mail is paused for <see cref="Pause"/> (held, not failed).
/// </summary>
public sealed class BrakeRule
{
    public SenderScope Scope { get; set; } = SenderScope.SenderDomain;

    /// <summary>The senders this brake watches (domains, tags or API key names); empty: every sender of the scope.</summary>
    public List<string> Senders { get; set; } = [];

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Too little mail says nothing of a rate: below this many sent, the brake waits.</summary>
    public long MinimumSent { get; set; } = 100;

    /// <summary>Share of sent mail (0–1) that may bounce; null: not watched.</summary>
    public double? MaxBounceRate { get; set; }

    /// <summary>Share of sent mail (0–1) that may be complained about; null: not watched.</summary>
    public double? MaxComplaintRate { get; set; }

    public TimeSpan Pause { get; set; } = TimeSpan.FromHours(1);

    public bool Watches(SenderKey key)
    {
        if (key.Scope != Scope)
        {
            return false;
        }

        if (Senders.Count == 0)
        {
            return true;
        }

        foreach (var sender in Senders)
        {
            if (string.Equals(sender, key.Value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
