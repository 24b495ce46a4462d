namespace Sluice.Storage;

/// <summary>
/// A spool operation that completes a task with a result once its batch is durable. Its waiter
/// continues on the thread pool, or, with <paramref name="continueOnWriter"/>, on the writer thread
/// inside <see cref="Commit"/>: for an acknowledgement, whose waiter only finishes its message's
/// dispatch, a thread hand-off per message costs more than the work (ADR 0038).
/// </summary>
internal abstract class SpoolOperation<T>(bool continueOnWriter = false) : SpoolOperation
{
    private readonly TaskCompletionSource<T> _completion = new(continueOnWriter ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);

    protected T Result { get; set; } = default!;

    public Task<T> Task => _completion.Task;

    public override void Commit() => _completion.TrySetResult(Result);

    public override void Fail(Sluice.Core.Queue.EnqueueResult reason) => _completion.TrySetResult(FailedResult(reason));

    protected abstract T FailedResult(Sluice.Core.Queue.EnqueueResult reason);
}
