using Sluice.Core.Cluster;

namespace Sluice.Delivery.Shaping;

/// <summary>A rate kept for the whole cluster (<see cref="ISharedLimits"/>): the slot is booked there, the wait is served here.</summary>
internal sealed class SharedRateGate(ISharedLimits limits, SharedLimitKey key, SharedRateKind kind, double perSecond, int burst, TimeProvider time) : IRateGate
{
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var wait = await limits.ReserveAsync(key, kind, perSecond, burst).ConfigureAwait(false);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
