using Sluice.Core.Queue;
using Sluice.Delivery.Queues;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// An operator's hand on delivery: suspending a destination holds its waiting mail at once;
/// resuming (or the suspension running out) releases what was held for it, due as it was before.
/// </summary>
public sealed class DeliveryControl(Suspensions suspensions, ReadyQueues queues, IMessageQueue queue)
{
    public IReadOnlyDictionary<string, DateTimeOffset> Suspended => suspensions.Snapshot();

    public void Suspend(string destination, DateTimeOffset until)
    {
        suspensions.Suspend(destination, until);
        queues.HoldWaitingFor(destination);
    }

    public async Task<bool> ResumeAsync(string destination)
    {
        var resumed = suspensions.Resume(destination);
        await queue.ReleaseHeldAsync(HoldKey.ForSuspension(destination).Value, int.MaxValue, CancellationToken.None).ConfigureAwait(false);
        return resumed;
    }

    /// <summary>Suspensions whose time is up release their mail (called by the scheduler's tick).</summary>
    public async Task ReleaseExpiredAsync()
    {
        if (suspensions.IsEmpty)
        {
            return;
        }

        foreach (var destination in suspensions.TakeExpired())
        {
            await queue.ReleaseHeldAsync(HoldKey.ForSuspension(destination).Value, int.MaxValue, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
