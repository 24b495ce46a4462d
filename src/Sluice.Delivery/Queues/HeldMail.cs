using Sluice.Core.Events;
using Sluice.Core.Queue;

namespace Sluice.Delivery.Queues;

/// <summary>
/// Releases mail held under a key. A hold that lasts (<see cref="HoldKey.Lasts"/>) was told to the
/// event log when it began, one event per recipient; its release is told too, one event for the key,
/// so that the message index — what a cluster's queue listing reads — shows those recipients queued again.
/// </summary>
internal static class HeldMail
{
    /// <summary>Makes up to <paramref name="max"/> messages held under <paramref name="key"/> leasable again; how many.</summary>
    public static async ValueTask<long> ReleaseAsync(IMessageQueue queue, DeliveryEventLog? events, TimeProvider time, HoldKey key, int max)
    {
        var released = await queue.ReleaseHeldAsync(key.Value, max, CancellationToken.None).ConfigureAwait(false);
        if (released > 0 && key.Lasts)
        {
            events?.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.Release, "-", null, null, null, 0, null, key.Value, null));
        }

        return released;
    }
}
