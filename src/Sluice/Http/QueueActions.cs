using Sluice.Core.Events;
using Sluice.Core.Queue;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Reputation;

namespace Sluice.Http;

/// <summary>
/// The operator's changes to the queue that both the API and the dashboard make: flush, delete,
/// suspend and resume a destination, pause and resume a sender. Each is written to the event log
/// (an AdminAction; a sender's pause and resumption as their own events).
/// <see cref="Control"/> is null on a node that does not deliver.
/// </summary>
/// In a cluster, suspensions go to the shared store too, so that every node holds the destination.
internal sealed class QueueActions(IMessageQueue queue, DeliveryControl? control, DeliveryEventLog events, TimeProvider time, SenderReputation? reputation = null, Core.State.SqlStateStore? shared = null)
{
    public DeliveryControl? Control => control;

    public async Task<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var count = await queue.FlushAsync(filter, cancellationToken).ConfigureAwait(false);
        Admin("flush", filter, count);
        return count;
    }

    /// <summary>
    /// Removes matching messages that are not in flight, each recorded as an AdminAction of its own
    /// (so the index, which lists a cluster's queue, knows it is gone); a dry run only counts them.
    /// </summary>
    public async Task<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (dryRun)
        {
            return await queue.DeleteAsync(filter, dryRun: true, cancellationToken).ConfigureAwait(false);
        }

        var count = await queue.SettleWaitingAsync(
            filter,
            (entry, _) =>
            {
                events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.AdminAction, entry.Id.Value, null, null, null, entry.Attempts, "deleted by an operator", "delete", null));
                return ValueTask.FromResult(true);
            },
            cancellationToken).ConfigureAwait(false);
        if (filter.Id is null)
        {
            Admin("delete", filter, count);
        }

        return count;
    }

    /// <summary>Holds a destination's mail until <paramref name="minutes"/> from now; false when this node does not deliver.</summary>
    public async Task<DateTimeOffset?> SuspendAsync(string destination, int minutes)
    {
        if (control is null)
        {
            return null;
        }

        var until = time.GetUtcNow().AddMinutes(minutes);
        control.Suspend(destination, until);
        if (shared is not null)
        {
            await shared.SuspendAsync(destination, until, CancellationToken.None).ConfigureAwait(false);
        }

        events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.AdminAction, "-", null, destination, null, 0, $"suspend until {until:u}", "suspend", null));
        return until;
    }

    /// <summary>Releases a suspended destination's mail at once; false when it was not suspended.</summary>
    public async Task<bool> ResumeAsync(string destination)
    {
        if (control is null || !await control.ResumeAsync(destination).ConfigureAwait(false))
        {
            return false;
        }

        if (shared is not null)
        {
            await shared.ResumeAsync(destination, CancellationToken.None).ConfigureAwait(false);
        }

        events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.AdminAction, "-", null, destination, null, 0, "resume", "resume", null));
        return true;
    }

    /// <summary>Holds a sender's mail until <paramref name="minutes"/> from now (its waiting mail too).</summary>
    public SenderPause PauseSender(SenderKey sender, int minutes, string? reason)
    {
        ArgumentNullException.ThrowIfNull(reputation);
        var now = time.GetUtcNow();
        var pause = new SenderPause(sender, now, now.AddMinutes(minutes), PauseCause.Operator, string.IsNullOrWhiteSpace(reason) ? "paused by an operator" : reason.Trim());
        reputation.Pause(pause);
        return pause;
    }

    /// <summary>Ends a sender's pause and releases its mail at once (on every node of a cluster); null when it was not paused.</summary>
    public async Task<SenderPause?> ResumeSenderAsync(SenderKey sender)
    {
        var pause = control is not null ? await control.ResumeSenderAsync(sender).ConfigureAwait(false) : reputation?.Resume(sender);
        if (shared is not null && await shared.ResumeSenderAsync(sender.ToString(), CancellationToken.None).ConfigureAwait(false))
        {
            // Paused elsewhere, not yet followed here: it was resumed for the cluster all the same.
            pause ??= new SenderPause(sender, time.GetUtcNow(), time.GetUtcNow(), PauseCause.Operator, "paused on another node");
        }

        return pause;
    }

    private void Admin(string action, QueueFilter filter, long count)
        => events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.AdminAction, filter.Id?.Value ?? "-", null, filter.Domain, null, 0, $"{action}: {count} messages", action, null));
}
