using Sluice.Core.Cluster;

namespace Sluice.Delivery.Tests;

/// <summary>Cluster-wide limits played in memory: leases up to <see cref="Allowed"/>, counted.</summary>
internal sealed class CountingSharedLimits : ISharedLimits
{
    private readonly Lock _lock = new();
    private int _next;

    public int Allowed { get; set; }

    public int Held { get; private set; }

    public int Asked { get; private set; }

    public int Refused { get; private set; }

    public TimeSpan RetryAfter => TimeSpan.FromMilliseconds(200);

    public ValueTask<SharedLease?> TryLeaseAsync(SharedLimitKey key, int max)
    {
        lock (_lock)
        {
            Asked++;
            if (Held >= Math.Min(Allowed, max))
            {
                Refused++;
                return ValueTask.FromResult<SharedLease?>(null);
            }

            Held++;
            return ValueTask.FromResult<SharedLease?>(new SharedLease(key, (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    public bool Wanted { get; set; }

    public bool IsWanted(SharedLimitKey key) => Wanted;

    public int? Share { get; set; }

    public int? ShareOf(SharedLimitKey key, int max) => Share;

    public void Release(SharedLease lease)
    {
        lock (_lock)
        {
            Held--;
        }
    }

    public ValueTask<TimeSpan> ReserveAsync(SharedLimitKey key, SharedRateKind kind, double perSecond, int burst) => ValueTask.FromResult(TimeSpan.Zero);
}
