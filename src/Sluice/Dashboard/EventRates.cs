using Sluice.Core.Events;

namespace Sluice.Dashboard;

/// <summary>
/// Events per minute for the last hour, by type, kept in memory for the dashboard's rate chart: a
/// ring of 60 minute slots, each stamped with its minute so that a slot from an hour ago is
/// cleared before reuse. An event costs one interlocked increment (and a lock once a minute).
/// </summary>
internal sealed class EventRates(TimeProvider time) : IEventSink
{
    public const int Minutes = 60;
    private static readonly int Types = Enum.GetValues<DeliveryEventType>().Length;
    private readonly long[] _counts = new long[Minutes * Types];
    private readonly long[] _stamps = new long[Minutes];
    private readonly Lock _lock = new();

    public void Write(DeliveryEvent entry, string line)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var minute = entry.Time.ToUnixTimeSeconds() / 60;
        var slot = Slot(minute);
        if (slot < 0 || (uint)entry.Type >= (uint)Types)
        {
            return;
        }

        Interlocked.Increment(ref _counts[(slot * Types) + (int)entry.Type]);
    }

    /// <summary>The last <see cref="Minutes"/> whole minutes and the current one, oldest first: each minute's start and counts by type.</summary>
    public List<(DateTimeOffset Minute, long[] Counts)> Series()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var series = new List<(DateTimeOffset, long[])>(Minutes);
        for (var minute = now - Minutes + 1; minute <= now; minute++)
        {
            var counts = new long[Types];
            var slot = (int)(minute % Minutes);
            if (Volatile.Read(ref _stamps[slot]) == minute)
            {
                for (var t = 0; t < Types; t++)
                {
                    counts[t] = Volatile.Read(ref _counts[(slot * Types) + t]);
                }
            }

            series.Add((DateTimeOffset.FromUnixTimeSeconds(minute * 60), counts));
        }

        return series;
    }

    /// <summary>The slot for <paramref name="minute"/>, cleared first if it holds an older minute; −1 for a minute already out of the window.</summary>
    private int Slot(long minute)
    {
        var slot = (int)(minute % Minutes);
        var stamp = Volatile.Read(ref _stamps[slot]);
        if (stamp == minute)
        {
            return slot;
        }

        if (stamp > minute)
        {
            return -1;
        }

        lock (_lock)
        {
            if (_stamps[slot] < minute)
            {
                Array.Clear(_counts, slot * Types, Types);
                Volatile.Write(ref _stamps[slot], minute);
            }

            return _stamps[slot] == minute ? slot : -1;
        }
    }
}
