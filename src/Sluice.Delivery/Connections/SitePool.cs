using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Connections;

/// <summary>
/// The open connections of one site. <see cref="Open"/> counts busy and idle connections together
/// and never exceeds the limit: a caller either takes an idle connection, gets permission to open
/// one, or waits until a connection is handed back or closed.
/// </summary>
internal sealed class SitePool(int maxConnections, int initialConnections = int.MaxValue)
{
    private readonly Lock _lock = new();
    private int _limit = Math.Clamp(initialConnections, 1, maxConnections);
    private int _consecutiveFailures;
    private readonly Stack<SmtpClientConnection> _idle = new();
    private readonly Queue<TaskCompletionSource<SmtpClientConnection?>> _waiters = new();

    public int Open { get; private set; }

    /// <summary>Connections allowed right now (the slow-start window).</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>A delivery over this site worked: widen the window by one (additive increase).</summary>
    public void Succeeded()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            if (_limit < maxConnections)
            {
                _limit++;
                WakeForNewSlot();
            }
        }
    }

    /// <summary>The site refused a connection or throttled us: halve the window (multiplicative decrease). Returns the failures in a row.</summary>
    public int Failed()
    {
        lock (_lock)
        {
            _limit = Math.Max(1, _limit / 2);
            return ++_consecutiveFailures;
        }
    }

    /// <summary>Throttling (421, rate limits) narrows the window without counting towards a cooldown: the site is up.</summary>
    public void Throttled()
    {
        lock (_lock)
        {
            _limit = Math.Max(1, _limit / 2);
        }
    }


    /// <summary>An idle connection, or null meaning "a slot is yours: open one".</summary>
    public Task<SmtpClientConnection?> AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_idle.TryPop(out var idle))
            {
                return Task.FromResult<SmtpClientConnection?>(idle);
            }

            if (Open < _limit)
            {
                Open++;
                return Task.FromResult<SmtpClientConnection?>(null);
            }

            var waiter = new TaskCompletionSource<SmtpClientConnection?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
            return waiter.Task;
        }
    }

    /// <summary>Hands a reusable connection to the next waiter, or keeps it idle.</summary>
    public void Return(SmtpClientConnection connection)
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(connection))
                {
                    return;
                }
            }

            _idle.Push(connection);
        }
    }

    /// <summary>A slot is free again (a connection closed, or opening one failed).</summary>
    public void Release()
    {
        lock (_lock)
        {
            // Past a narrowed window the slot is not handed on: it closes.
            if (Open <= _limit)
            {
                while (_waiters.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(null))
                    {
                        return;
                    }
                }
            }

            Open--;
        }
    }

    /// <summary>Called under the lock when the window grew: a waiter may open a new connection.</summary>
    private void WakeForNewSlot()
    {
        while (Open < _limit && _waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult(null))
            {
                Open++;
            }
        }
    }

    /// <summary>Removes idle connections unused since <paramref name="before"/>; the caller closes them and calls <see cref="Release"/>.</summary>
    public List<SmtpClientConnection> TakeStale(DateTimeOffset before)
    {
        lock (_lock)
        {
            var keep = new List<SmtpClientConnection>();
            var stale = new List<SmtpClientConnection>();
            while (_idle.TryPop(out var c))
            {
                (c.LastUsed < before || !c.IsUsable ? stale : keep).Add(c);
            }

            for (var i = keep.Count - 1; i >= 0; i--)
            {
                _idle.Push(keep[i]);
            }

            return stale;
        }
    }
}
