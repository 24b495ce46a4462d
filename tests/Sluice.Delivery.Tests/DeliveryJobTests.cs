using Sluice.Delivery.Queues;

namespace Sluice.Delivery.Tests;

/// <summary>Where a job's waiter continues: never inside a caller that may hold a lock, inline only when asked (ADR 0038).</summary>
public sealed class DeliveryJobTests
{
    [Fact]
    public async Task Complete_CallerHoldsALock_WaiterContinuesOutsideIt()
    {
        var job = TestJobs.For("r@example.org");
        var gate = new Lock();
        var inside = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = Continue(job, () => inside.TrySetResult(gate.IsHeldByCurrentThread));

        // From a pool thread, as the ready queue's callers run (a test's synchronization context
        // would make the runtime queue any continuation anyway).
        await Task.Run(() =>
        {
            lock (gate)
            {
                job.Complete(JobResult.Held(HoldKey.WarmUp));
            }
        });

        Assert.False(await inside.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await waiter;
    }

    [Fact]
    public async Task CompleteInline_Waiting_WaiterRunsOnTheCallersThreadBeforeItReturns()
    {
        var job = TestJobs.For("r@example.org");
        var ranOn = -1;
        var waiter = Continue(job, () => ranOn = Environment.CurrentManagedThreadId);

        // From a pool thread, as a connection's worker runs (a test's synchronization context would
        // make the runtime queue the continuation instead).
        var (caller, seenBeforeReturn) = await Task.Run(() =>
        {
            job.CompleteInline(JobResult.Held(HoldKey.WarmUp));
            return (Environment.CurrentManagedThreadId, Volatile.Read(ref ranOn));
        });

        Assert.Equal(caller, seenBeforeReturn);
        await waiter;
    }

    /// <summary>A waiter like the dispatcher's: awaits the job, then runs <paramref name="then"/>.</summary>
    private static async Task Continue(DeliveryJob job, Action then)
    {
        await job.Completion.ConfigureAwait(false);
        then();
    }
}
