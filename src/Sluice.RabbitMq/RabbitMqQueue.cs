using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;

namespace Sluice.RabbitMq;

/// <summary>
/// The cluster's message queue on RabbitMQ quorum queues (ADR 0033), behind the same seam as the
/// embedded spool (ADR 0014). A message is acknowledged to its sender only once a majority of the
/// brokers confirmed it (publisher confirms); a node acknowledges a delivery to the brokers only
/// once the message is settled (delivered, bounced, re-queued for later, held, dead-lettered), so
/// a node that dies, is killed or loses its connection hands everything it held back to the
/// brokers, which give it to a live node at once.
/// </summary>
public sealed partial class RabbitMqQueue : IMessageQueue, IAsyncDisposable
{
    private readonly RabbitMqOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDeliveredLedger? _ledger;
    private readonly Core.Events.IMessageIndex? _index;
    private readonly TimeSpan _pendingWindow;
    private readonly bool _consumes;
    private readonly LogGate<string> _gate;
    private readonly ConcurrentDictionary<MessageId, InHand> _inHand = new();
    private readonly Channel<InHand> _ready = Channel.CreateUnbounded<InHand>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly SemaphoreSlim _work = new(0, 1);
    private readonly ConcurrentDictionary<string, bool> _holdQueues = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _connecting;
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Session? _session;
    private volatile TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lostAt;
    private int _generation;
    private volatile bool _blocked;
    private volatile bool _standbyConsuming;
    private int _disposed;

    private RabbitMqQueue(RabbitMqOptions options, TimeProvider time, ILogger logger, IDeliveredLedger? ledger, Core.Events.IMessageIndex? index, TimeSpan pendingWindow, bool consumes)
    {
        _consumes = consumes;
        _options = options;
        _time = time;
        _logger = logger;
        _ledger = ledger;
        _index = index;
        _pendingWindow = pendingWindow;
        _gate = new LogGate<string>(time, TimeSpan.FromMinutes(1));
        _connecting = Task.Run(ConnectLoopAsync);
    }

    /// <summary>Completes once the node is connected and consuming for the first time.</summary>
    public Task Connected => _firstConnection.Task;

    /// <summary>Whether the brokers can be reached now.</summary>
    public bool IsConnected => _session is not null;

    /// <summary>The AMQP port of the broker this node is connected to now (tests kill that one).</summary>
    internal int? ConnectedPort => _session?.Connection.Endpoint.Port;

    /// <summary>Whether this node consumes now: always when active and connected; a standby only while it has taken over.</summary>
    public bool IsConsuming => _session is not null && _consumes && (_options.Role == NodeRole.Active || _standbyConsuming);

    /// <summary>Messages this node holds unsettled now.</summary>
    public int InHandCount => _inHand.Count;

    /// <summary>Starts connecting in the background: the node starts even while the brokers are away, and refuses mail (451 / 503) until they answer.</summary>
    /// <param name="ledger">Where delivered recipients of unsettled messages are kept (the cluster's PostgreSQL); null: not kept.</param>
    /// <param name="index">The cluster's shared message index (PostgreSQL), from which listings show the messages the brokers hold; null: listings show this node's messages in hand only.</param>
    /// <param name="pendingWindow">How old a message the index calls pending can be and still be queued (the longest a message stays in the queue, and a margin).</param>
    /// <param name="consumes">False on a node that does not deliver (Delivery:Enabled=false): it publishes what it takes and consumes nothing.</param>
    public static RabbitMqQueue Start(RabbitMqOptions options, TimeProvider time, ILogger logger, IDeliveredLedger? ledger = null, Core.Events.IMessageIndex? index = null, TimeSpan? pendingWindow = null, bool consumes = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RabbitMqQueue(options, time, logger, ledger, index, pendingWindow ?? TimeSpan.FromDays(6), consumes);
    }

    public bool RecordsDelivered => _ledger is not null;

    public async ValueTask RecordDeliveredAsync(MessageId id, IReadOnlyList<EnvelopeRecipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (_ledger is not null)
        {
            var addresses = new string[recipients.Count];
            for (var i = 0; i < addresses.Length; i++)
            {
                addresses[i] = recipients[i].Address;
            }

            await _ledger.RecordAsync(id, addresses, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    public bool HasRoomFor(long bytes) => !_blocked;

    public async ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (_stopping.IsCancellationRequested)
        {
            return EnqueueResult.ShuttingDown;
        }

        var properties = ClusterMessage.Properties(id, envelope, receivedAt, 0, receivedAt, null);
        var queue = QueueNames.Shard(QueueNames.ShardOf(id.Value, _options.Shards));

        // The client frames the body before a publish returns: a pooled buffer serves every message.
        var length = (int)content.Length;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            for (var read = 0; read < length;)
            {
                read += content.ReadAt(read, rented.AsSpan(read, length - read));
            }

            return await PublishNewAsync(queue, properties, rented.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<EnqueueResult> PublishNewAsync(string queue, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // A broker that dies takes this node's connection with it; the next broker answers within
        // a second or two, and the sender waits that long rather than being told to retry. A second
        // try after a lost confirmation may store the message twice: at least once, never lost.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await SessionAsync(cancellationToken).ConfigureAwait(false) is not { } session)
            {
                return EnqueueResult.Unavailable;
            }

            if (await PublishAsync(session, queue, properties, body, "enqueue", cancellationToken).ConfigureAwait(false))
            {
                return EnqueueResult.Stored;
            }

            if (ReferenceEquals(_session, session) && session.Connection.IsOpen)
            {
                // Refused or unconfirmed on a connection that still stands: not a failover to wait out.
                break;
            }
        }

        return EnqueueResult.Unavailable;
    }

    public ValueTask<IReadOnlyList<QueueEntry>> LeaseAsync(int max, CancellationToken cancellationToken)
    {
        var leased = new List<QueueEntry>(Math.Min(max, 64));
        while (leased.Count < max && _ready.Reader.TryRead(out var message))
        {
            // A delivery from a connection since lost is the brokers' again.
            if (message.Generation == Volatile.Read(ref _generation) && _inHand.TryGetValue(message.Entry.Id, out var current) && ReferenceEquals(current, message))
            {
                leased.Add(message.Entry);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<QueueEntry>>(leased);
    }

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_ready.Reader.TryPeek(out _))
        {
            return;
        }

        await _work.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<Stream?> OpenContentAsync(MessageId id, CancellationToken cancellationToken)
        => ValueTask.FromResult<Stream?>(_inHand.TryGetValue(id, out var message) ? new MemoryStream(message.Body, writable: false) : null);

    public ValueTask<bool> IsWritableAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_session is not null && !_blocked);

    /// <summary>Closes the connection: what this node held goes back to the brokers. A second call (the node's container disposes it as the queue and as itself) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _connecting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _work.Dispose();
    }

    /// <summary>
    /// The open session; while a lost connection is being replaced (lost less than the confirm
    /// timeout ago, or closed just now and not yet noticed) waits for the next one, at most for what
    /// is left of that timeout. Brokers that have been away longer answer at once: unavailable.
    /// </summary>
    private async ValueTask<Session?> SessionAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var current = _session;
            if (current is not null && current.Connection.IsOpen)
            {
                return current;
            }

            var since = current is not null ? started : Interlocked.Read(ref _lostAt);
            var left = since == 0 ? TimeSpan.Zero : _options.ConfirmTimeout - _time.GetElapsedTime(since);
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                var next = current is null ? _up.Task : Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
                await next.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    private void Signal()
    {
        if (_work.CurrentCount == 0)
        {
            try
            {
                _work.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another arrival signalled first: one pending wake-up is enough.
            }
        }
    }
}
