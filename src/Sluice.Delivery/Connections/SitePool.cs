using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Connections;

/// <summary>
/// The open connections of one site. <see cref="Open"/> counts busy and idle connections together
/// and never exceeds the limit: a caller either takes an idle connection, gets permission to open
/// one, or waits until a connection is handed back or closed.
/// </summary>
internal sealed class SitePool
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private int _maxConnections;
    private int _limit;
    private int _consecutiveFailures;
    private readonly Stack<SmtpClientConnection> _idle = new();
    private readonly Queue<TaskCompletionSource<SmtpClientConnection?>> _waiters = new();

    public SitePool(int maxConnections, int initialConnections = int.MaxValue)
        : this(SiteShaping.Defaults with { MaxConnections = maxConnections, InitialConnections = initialConnections }, TimeProvider.System)
    {
    }

    public SitePool(SiteShaping shaping, TimeProvider time)
    {
        _time = time;
        Shaping = shaping;
        _maxConnections = shaping.MaxConnections;
        _limit = Math.Clamp(shaping.InitialConnections, 1, shaping.MaxConnections);
        MessageRate = shaping.MaxMessageRate > 0 ? new RateLimit(shaping.MaxMessageRate, shaping.MessageBurst, time) : null;
        ConnectionRate = shaping.MaxConnectionRate > 0 ? new RateLimit(shaping.MaxConnectionRate, shaping.ConnectionBurst, time) : null;
    }

    public int Open { get; private set; }

    /// <summary>The shaping this site runs under now (replaced by <see cref="Reconfigure"/> on a config reload).</summary>
    public SiteShaping Shaping { get; private set; }

    /// <summary>Message rate limit, or null for none.</summary>
    public RateLimit? MessageRate { get; private set; }

    /// <summary>New-connection rate limit, or null for none.</summary>
    public RateLimit? ConnectionRate { get; private set; }

    /// <summary>True when more connections are open than the window allows (after a narrowing or a reload): close instead of keeping.</summary>
    public bool OverLimit
    {
        get
        {
            lock (_lock)
            {
                return Open > _limit;
            }
        }
    }

    /// <summary>
    /// Applies a reloaded shaping while keeping the site's state: open connections stay (extra ones
    /// close as they finish), the slow-start window keeps what it has learned within the new
    /// maximum, and a rate limiter is replaced only when its rate or burst changed.
    /// </summary>
    public void Reconfigure(SiteShaping shaping)
    {
        lock (_lock)
        {
            var old = Shaping;
            if (old == shaping)
            {
                return;
            }

            Shaping = shaping;
            _maxConnections = shaping.MaxConnections;
            _limit = Math.Clamp(_limit, 1, _maxConnections);
            if (old.MaxMessageRate != shaping.MaxMessageRate || old.MessageBurst != shaping.MessageBurst)
            {
                MessageRate = shaping.MaxMessageRate > 0 ? new RateLimit(shaping.MaxMessageRate, shaping.MessageBurst, _time) : null;
            }

            if (old.MaxConnectionRate != shaping.MaxConnectionRate || old.ConnectionBurst != shaping.ConnectionBurst)
            {
                ConnectionRate = shaping.MaxConnectionRate > 0 ? new RateLimit(shaping.MaxConnectionRate, shaping.ConnectionBurst, _time) : null;
            }

            WakeForNewSlot();
        }
    }

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
            if (_limit < _maxConnections)
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
