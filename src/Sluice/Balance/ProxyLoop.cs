using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sluice.Balance.Native;
using Sluice.Core.Balancing;
using Sluice.Core.Telemetry;
using static Sluice.Balance.Native.LinuxSockets;

namespace Sluice.Balance;

/// <summary>
/// One event loop of the balancer: a thread with its own epoll set that accepts connections from
/// the shared listeners (EPOLLEXCLUSIVE: one loop woken per arrival), connects each to a node
/// chosen by the pool's failover loop, and copies bytes both ways, both sockets of a connection on
/// this thread. Reads are tried only when epoll reported something to read (edge-triggered, and a
/// short read means the socket is drained), data goes out from one scratch buffer per loop and is
/// kept per connection only when the peer's send buffer is full (back-pressure: the other side is
/// not read until it drains). The runtime's socket engine costs a failed read per wait and a thread
/// hop whenever a connection's two sockets sit on different engine threads (ADR 0020, bench/balance).
/// </summary>
internal sealed unsafe partial class ProxyLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const int ScratchSize = 64 * 1024;
    private const int AcceptsPerWake = 32;
    private const ulong WakeToken = ulong.MaxValue;
    private const ulong ListenerTokenBase = ulong.MaxValue - 1024;
    private static readonly byte[] NoNode = "421 4.3.2 No mail server is available right now, try again later\r\n"u8.ToArray();

    private readonly BalanceOptions _options;
    private readonly FailoverLoop _failover;
    private readonly SluiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<BalanceListener> _listeners;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte* _events;
    private readonly byte* _scratch;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly List<ProxiedConnection?> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly List<int> _freedThisWake = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _drained;
    private volatile bool _stop;
    private bool _accepting = true;
    private long _acceptPausedUntil;
    private long _nextSweep;
    private int _open;
    private int _wakePending;
    private int _disposed;

    private readonly LogGate<(LoopTrouble Trouble, string Pool)> _troubles;

    public ProxyLoop(int index, IReadOnlyList<BalanceListener> listeners, BalanceOptions options, FailoverLoop failover, SluiceMetrics metrics, TimeProvider time, ILogger logger, LogGate<(LoopTrouble Trouble, string Pool)> troubles)
    {
        _troubles = troubles;
        _listeners = listeners;
        _options = options;
        _failover = failover;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _epoll = EpollCreate(EpollCloexec);
        _wake = EventFd(0, EfdNonblock | EfdCloexec);
        if (_epoll < 0 || _wake < 0)
        {
            throw new IOException($"cannot create the balancer's event loop (errno {Errno})");
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollEventSize));
        _scratch = (byte*)NativeMemory.Alloc(ScratchSize);
        EpollAdd(_epoll, _wake, EpollIn | EpollEt, WakeToken);
        AddListeners();
        _thread = new Thread(Run) { IsBackground = true, Name = $"Sluice proxy {index}" };
    }

    /// <summary>Connections this loop holds now (accepted and not yet closed).</summary>
    public int Open => Volatile.Read(ref _open);

    public void Start() => _thread.Start();

    /// <summary>Stops taking connections from the listeners; completes once this loop will not call accept again.</summary>
    public Task StopAcceptingAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            RemoveListeners();
            _accepting = false;
            done.TrySetResult();
        });
        return done.Task;
    }

    /// <summary>Completes when this loop holds no connection (call after <see cref="StopAcceptingAsync"/>).</summary>
    public Task DrainedAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            _drained = drained;
            if (_open == 0)
            {
                drained.TrySetResult();
            }
        });
        return drained.Task;
    }

    /// <summary>Cuts what is still open, ends the thread and frees the loop.</summary>
    public void Dispose()
    {
        // The host may dispose the service twice (as a singleton and as a hosted service): the native parts are freed once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop = true;
        Wake();
        if (_thread.IsAlive)
        {
            _exited.Task.Wait();
        }

        _ = Close(_wake);
        _ = Close(_epoll);
        NativeMemory.Free(_events);
        NativeMemory.Free(_scratch);
    }

    private bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    private long Now => _time.GetTimestamp();

    private long After(TimeSpan span) => Now + (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Runs <paramref name="action"/> on the loop thread (after the events in hand when called from it).</summary>
    private void Post(Action action)
    {
        _posted.Enqueue(action);
        if (!OnLoopThread)
        {
            Wake();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            _ = Write(_wake, (byte*)&one, sizeof(ulong));
        }
    }

    private void Run()
    {
        try
        {
            while (!_stop)
            {
                var timeout = _acceptPausedUntil != 0 ? 50 : 1000;
                var n = EpollWait(_epoll, _events, MaxEvents, timeout);
                if (n < 0)
                {
                    if (Errno == EIntr)
                    {
                        continue;
                    }

                    BalanceLog.LoopFailed(_logger, Errno);
                    break;
                }

                for (var i = 0; i < n; i++)
                {
                    var ev = _events + (i * EpollEventSize);
                    Dispatch(*(uint*)ev, *(ulong*)(ev + EpollDataOffset));
                }

                RunPosted();
                var now = Now;
                if (now >= _nextSweep)
                {
                    Sweep(now);
                    _nextSweep = now + _time.TimestampFrequency;
                }

                if (_acceptPausedUntil != 0 && now >= _acceptPausedUntil)
                {
                    _acceptPausedUntil = 0;
                    AddListeners();
                }

                // Slots freed in this wake are reused only from the next one: an event still in hand
                // for a closed connection must not reach a new one.
                foreach (var slot in _freedThisWake)
                {
                    _free.Push(slot);
                }

                _freedThisWake.Clear();
            }
        }
        finally
        {
            RunPosted();
            foreach (var connection in _slots)
            {
                if (connection is not null)
                {
                    Finish(connection);
                }
            }

            _exited.TrySetResult();
        }
    }

    private void RunPosted()
    {
        Volatile.Write(ref _wakePending, 0);
        while (_posted.TryDequeue(out var action))
        {
            Guard(null, action);
        }
    }

    private void Dispatch(uint events, ulong token)
    {
        if (token == WakeToken)
        {
            ulong count;
            _ = Read(_wake, (byte*)&count, sizeof(ulong));
            return;
        }

        if (token >= ListenerTokenBase)
        {
            Accept(_listeners[(int)(token - ListenerTokenBase)]);
            return;
        }

        var slot = (int)(token >> 1);
        if (slot >= _slots.Count || _slots[slot] is not { Finished: false } connection)
        {
            return;
        }

        var nodeSide = (token & 1) == 1;
        Guard(connection, () => OnEvents(connection, nodeSide, events));
    }

    /// <summary>A bug in handling one connection closes that connection, not the loop.</summary>
    private void Guard(ProxiedConnection? connection, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            BalanceLog.ConnectionFailed(_logger, ex);
            if (connection is not null)
            {
                Finish(connection);
            }
        }
    }

    private void OnEvents(ProxiedConnection connection, bool nodeSide, uint events)
    {
        if (!connection.Proxying)
        {
            // Before a node took it: the node's connect reports, and what either side sent is noted
            // (the edge is spent) so that proxying starts by reading it.
            if (nodeSide)
            {
                connection.NodeReadable |= (events & (EpollIn | EpollRdHup | EpollHup)) != 0;
                connection.ToClient.SourceEnding |= (events & (EpollRdHup | EpollHup)) != 0;
                if (connection.Connecting is not null)
                {
                    Connected(connection, events);
                }
            }
            else
            {
                connection.ClientReadable |= (events & (EpollIn | EpollRdHup | EpollHup)) != 0;
                connection.ToNode.SourceEnding |= (events & (EpollRdHup | EpollHup | EpollErr)) != 0;
            }

            return;
        }

        const uint ended = EpollHup | EpollErr | EpollRdHup;
        var from = nodeSide ? connection.ToClient : connection.ToNode;
        if ((events & ended) != 0)
        {
            // Its edge is spent now, and the data before it may be read later (after back-pressure),
            // when a short read no longer means the end was reached.
            from.SourceEnding = true;
        }

        if ((events & (EpollIn | ended)) != 0)
        {
            Pump(connection, from);
        }

        // Writable again matters only to a direction that stopped on a full send buffer (its source
        // was left unread); edge-triggered epoll also reports writable on every ACK, which must not
        // cost a read of the other side.
        var into = nodeSide ? connection.ToNode : connection.ToClient;
        if ((events & (EpollOut | EpollHup | EpollErr)) != 0 && into.PendingLength > 0)
        {
            Pump(connection, into);
        }
    }

    private void AddListeners()
    {
        if (!_accepting)
        {
            return;
        }

        for (var i = 0; i < _listeners.Count; i++)
        {
            EpollAdd(_epoll, _listeners[i].Fd, EpollIn | EpollExclusive, ListenerTokenBase + (ulong)i);
        }
    }

    private void RemoveListeners()
    {
        foreach (var listener in _listeners)
        {
            _ = EpollRemove(_epoll, listener.Fd);
        }
    }

    /// <summary>Connections that waited too long: a connect past ConnectTimeout, a half-closed connection past CloseTimeout.</summary>
    private void Sweep(long now)
    {
        for (var slot = 0; slot < _slots.Count; slot++)
        {
            if (_slots[slot] is { Finished: false, Deadline: > 0 } connection && now >= connection.Deadline)
            {
                connection.Deadline = 0;
                if (connection.Connecting is not null)
                {
                    ConnectTimedOut(connection);
                }
                else
                {
                    Finish(connection);
                }
            }
        }
    }

    private ProxiedConnection Register(int clientFd, IPEndPoint client, IPEndPoint front, string pool)
    {
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            slot = _slots.Count;
            _slots.Add(null);
        }

        var connection = new ProxiedConnection(slot, clientFd, client, front, pool);
        _slots[slot] = connection;
        _open++;
        _ = EpollAdd(_epoll, clientFd, EpollIn | EpollOut | EpollRdHup | EpollEt, (ulong)slot << 1);
        return connection;
    }

    /// <summary>Closes both sockets and gives back the node's lease; idempotent.</summary>
    private void Finish(ProxiedConnection connection)
    {
        if (connection.Finished)
        {
            return;
        }

        connection.Finished = true;
        if (connection.Proxying)
        {
            _metrics.BalanceConnectionsOpen.Add(-1);
            connection.Lease.Dispose();
        }

        // Closing a socket takes it out of the epoll set too.
        _ = Close(connection.ClientFd);
        connection.ClientFd = -1;
        if (connection.Connecting is { } connecting)
        {
            // Not the node's fault (stopping): the failover run ends without counting against it.
            connection.Connecting = null;
            _ = Close(connection.NodeFd);
            connection.NodeFd = -1;
            connecting.TrySetResult(MemberTries.Done(-1));
        }
        else if (connection.NodeFd >= 0)
        {
            _ = Close(connection.NodeFd);
            connection.NodeFd = -1;
        }

        Release(connection.ToNode);
        Release(connection.ToClient);
        _slots[connection.Slot] = null;
        _freedThisWake.Add(connection.Slot);
        _open--;
        if (_open == 0)
        {
            _drained?.TrySetResult();
        }
    }

    private static void Release(ProxyHalf half)
    {
        if (half.Pending is { } pending)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(pending);
            half.Pending = null;
            half.PendingLength = 0;
        }
    }

    private void Accept(BalanceListener listener)
    {
        var address = stackalloc byte[128];
        var local = stackalloc byte[128];
        for (var i = 0; i < AcceptsPerWake && _accepting; i++)
        {
            var length = 128;
            var fd = LinuxSockets.Accept(listener.Fd, address, &length, SockNonblock | SockCloexec);
            if (fd < 0)
            {
                var errno = Errno;
                if (errno is 23 or 24 or 105 or 12)
                {
                    // ENFILE, EMFILE, ENOBUFS, ENOMEM: the connection waits in the backlog until
                    // descriptors are free; accepting again at once would spin a core.
                    if (_troubles.ShouldLog((LoopTrouble.AcceptPaused, listener.Pool), out var unlogged))
                    {
                        BalanceLog.AcceptPaused(_logger, errno, unlogged);
                    }

                    RemoveListeners();
                    _acceptPausedUntil = After(TimeSpan.FromMilliseconds(50));
                }

                // EAGAIN (another loop took it) or a client that reset before we took it.
                return;
            }

            SetNoDelay(fd);
            var client = SocketAddresses.Read(new ReadOnlySpan<byte>(address, length)) ?? new IPEndPoint(IPAddress.None, 0);
            var front = listener.Endpoint;
            if (_options.ProxyProtocol != ProxyProtocolVersion.None && (front.Address.Equals(IPAddress.Any) || front.Address.Equals(IPAddress.IPv6Any)))
            {
                var localLength = 128;
                if (GetSockName(fd, local, &localLength) == 0)
                {
                    front = SocketAddresses.Read(new ReadOnlySpan<byte>(local, localLength)) ?? front;
                }
            }

            var connection = Register(fd, client, front, listener.Pool);
            _metrics.BalanceConnections.Add(1);
            _ = FailOverAsync(connection);
        }
    }

    /// <summary>Continuations of the failover run normally resume on the loop thread (connects complete there); when not, this moves them there.</summary>
    private void RunOnLoop(Action action)
    {
        if (OnLoopThread)
        {
            Guard(null, action);
        }
        else
        {
            Post(action);
        }
    }

    private void Taken(ProxiedConnection connection, FailoverResult<int> taken)
    {
        if (connection.Finished)
        {
            taken.Lease.Dispose();
            return;
        }

        if (!taken.Taken)
        {
            if (_troubles.ShouldLog((LoopTrouble.NoneAvailable, connection.Pool), out var unlogged))
            {
                BalanceLog.NoneAvailable(_logger, connection.Pool, connection.Client.Address, unlogged);
            }

            fixed (byte* reply = NoNode)
            {
                _ = Send(connection.ClientFd, reply, NoNode.Length, MsgNosignal);
            }

            Finish(connection);
            return;
        }

        connection.Lease = taken.Lease;
        connection.Proxying = true;
        connection.Deadline = 0;
        _metrics.BalanceConnectionsOpen.Add(1);
        var header = _options.ProxyProtocol switch
        {
            ProxyProtocolVersion.V2 => Core.Proxy.ProxyProtocol.WriteV2(connection.Client, connection.Front),
            ProxyProtocolVersion.V1 => Core.Proxy.ProxyProtocol.WriteV1(connection.Client, connection.Front),
            _ => [],
        };
        if (header.Length > 0)
        {
            Keep(connection.ToNode, header, header.Length);
            if (!connection.ClientReadable)
            {
                _ = Flush(connection, connection.ToNode, connection.NodeFd);
            }
        }

        // Whatever either side sent meanwhile (the node's greeting, an early client) goes now.
        if (connection.ClientReadable)
        {
            Pump(connection, connection.ToNode);
        }

        if (connection.NodeReadable)
        {
            Pump(connection, connection.ToClient);
        }
    }
}
