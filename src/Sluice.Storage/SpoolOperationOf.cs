namespace Sluice.Storage;

/// <summary>A spool operation that completes a task with a result once its batch is durable.</summary>
internal abstract class SpoolOperation<T> : SpoolOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected T Result { get; set; } = default!;

    public Task<T> Task => _completion.Task;

    public override void Commit() => _completion.TrySetResult(Result);

    public override void Fail(Sluice.Core.Queue.EnqueueResult reason) => _completion.TrySetResult(FailedResult(reason));

    protected abstract T FailedResult(Sluice.Core.Queue.EnqueueResult reason);
}
