using System.Collections.Concurrent;

namespace Sluice.Server.Auth;

/// <summary>
/// Runs password checks (PBKDF2, deliberately slow) on a few dedicated low-priority threads, a
/// bounded number waiting, so that password guessing never occupies the threads that serve SMTP
/// sessions: a flood of wrong AUTHs costs the guesser time and at most these threads' CPU.
/// </summary>
internal sealed class PasswordVerifier : IDisposable
{
    private readonly BlockingCollection<(Func<bool> Check, TaskCompletionSource<bool?> Done)> _queue;
    private readonly Thread[] _threads;
    private volatile bool _stopping;

    public PasswordVerifier(int threads, int maxWaiting)
    {
        _queue = new BlockingCollection<(Func<bool>, TaskCompletionSource<bool?>)>(Math.Max(1, maxWaiting));
        _threads = new Thread[Math.Max(1, threads)];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"sluice-auth-{i}", Priority = ThreadPriority.BelowNormal };
            _threads[i].Start();
        }
    }

    /// <summary>The check's answer, or null when too many checks are waiting already (answer "try later").</summary>
    public Task<bool?> VerifyAsync(Func<bool> check)
    {
        var done = new TaskCompletionSource<bool?>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            if (!_queue.TryAdd((check, done)))
            {
                done.SetResult(null);
            }
        }
        catch (InvalidOperationException)
        {
            // Stopping: no more checks.
            done.SetResult(null);
        }

        return done.Task;
    }

    /// <summary>Stops: checks still waiting are answered null ("try later"), the one running finishes.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _queue.CompleteAdding();
        var joined = true;
        foreach (var thread in _threads)
        {
            joined &= thread.Join(TimeSpan.FromSeconds(5));
        }

        // A check still running past the wait keeps its thread; the queue must outlive it.
        if (joined)
        {
            _queue.Dispose();
        }
    }

    private void Run()
    {
        foreach (var (check, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                done.SetResult(_stopping ? null : check());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                done.SetException(ex);
            }
        }
    }
}
