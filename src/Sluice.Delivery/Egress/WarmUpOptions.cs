namespace Sluice.Delivery.Egress;

/// <summary>
/// A new egress source's warm-up plan: from <see cref="Start"/> (a UTC day), day N may send
/// <see cref="Schedule"/>[N] messages to each provider (a destination named in
/// <c>Delivery:Shaping:Providers</c>, else each recipient domain on its own); a provider in
/// <see cref="Providers"/> follows its own schedule. After the last day the source is warm: no limit.
/// </summary>
public sealed class WarmUpOptions
{
    public DateOnly Start { get; set; }

    public List<int> Schedule { get; set; } = [];

    public Dictionary<string, List<int>> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Messages <paramref name="provider"/> may get from this source on <paramref name="day"/>; null when warm (no limit).</summary>
    public int? Allowance(DateOnly day, string provider)
    {
        var schedule = Providers.TryGetValue(provider, out var own) ? own : Schedule;
        var index = Math.Max(0, day.DayNumber - Start.DayNumber);
        return index < schedule.Count ? schedule[index] : null;
    }
}
