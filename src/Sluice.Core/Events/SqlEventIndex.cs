using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Events;

/// <summary>
/// The message index (ADR 0024, 0035): every event with its sequence number, each message with its
/// recipients' states, and counts per hour × sending domain × tag, in the embedded <c>events.db</c>
/// of a single node or in a cluster's PostgreSQL, which every node writes to and any node answers
/// from. Events arrive as an <see cref="IEventSink"/> on the delivery path, which only queues them;
/// one writer commits them in batches (at most one commit per <c>batchInterval</c>), so the index
/// costs the hot path a channel write. It is derived data: a crash can lose the last batch, never
/// mail (the spool or the cluster queue is the record).
/// </summary>
public sealed partial class SqlEventIndex : IEventSink, IMessageIndex, IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 4096;

    /// <summary>Events a shared database's writer keeps while the database is away, before it drops new batches.</summary>
    private const long MaxBacklog = 1_000_000;

    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan SharedPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryFirst = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryMost = TimeSpan.FromSeconds(15);

    private readonly EventIndexDatabase _database;
    private readonly TimeProvider _time;
    private readonly TimeSpan _batchInterval;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _statsMaxAge;
    private readonly Func<bool>? _mayPrune;
    private readonly ILogger _logger;
    private readonly LogGate<string> _failureLog;
    private readonly Channel<DeliveryEvent> _channel = Channel.CreateUnbounded<DeliveryEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;
    private long _lastSequence;
    private long _queued;
    private long _written;
    private long _dropped;
    private long _prunedAt;

    private SqlEventIndex(EventIndexDatabase database, TimeProvider time, TimeSpan batchInterval, TimeSpan maxAge, TimeSpan statsMaxAge, ILogger logger, Func<bool>? mayPrune)
    {
        _database = database;
        _time = time;
        _batchInterval = batchInterval;
        _maxAge = maxAge;
        _statsMaxAge = statsMaxAge;
        _mayPrune = mayPrune;
        _logger = logger;
        _failureLog = new LogGate<string>(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>The database, for the webhook store beside the index.</summary>
    public EventIndexDatabase Database => _database;

    /// <summary>Events that reached the index's queue but could not be written (counted for the metric).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events queued and not yet committed.</summary>
    public long Backlog => Interlocked.Read(ref _queued) - Interlocked.Read(ref _written) - Interlocked.Read(ref _dropped);

    /// <param name="database">Where the index is; disposed with the index.</param>
    /// <param name="batchInterval">The least time between two commits (fewer, larger transactions under load).</param>
    /// <param name="maxAge">Events and messages older than this are pruned (as the event files).</param>
    /// <param name="statsMaxAge">Hourly statistics older than this are pruned.</param>
    /// <param name="mayPrune">Whether this node prunes now (in a cluster, the leader); null: always.</param>
    public static SqlEventIndex Start(EventIndexDatabase database, TimeProvider time, ILogger logger, TimeSpan? batchInterval = null, TimeSpan? maxAge = null, TimeSpan? statsMaxAge = null, Func<bool>? mayPrune = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(logger);
        var index = new SqlEventIndex(database, time, batchInterval ?? TimeSpan.FromMilliseconds(100), maxAge ?? TimeSpan.FromDays(30), statsMaxAge ?? TimeSpan.FromDays(400), logger, mayPrune);
        if (!database.SharedByNodes)
        {
            using var connection = database.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            index._lastSequence = connection.ExecuteScalar<long?>("SELECT max(seq) FROM events") ?? 0;
        }

        IndexLog.Opened(logger, database.Location, index._lastSequence);
        index._writer = Task.Run(index.RunAsync);
        return index;
    }

    public void Write(DeliveryEvent entry, string line)
    {
        Interlocked.Increment(ref _queued);
        if (!_channel.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Completes once every event queued before the call is committed (or dropped).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _queued);
        while (Interlocked.Read(ref _written) + Interlocked.Read(ref _dropped) < target)
        {
            var signal = Volatile.Read(ref _committed);
            if (Interlocked.Read(ref _written) + Interlocked.Read(ref _dropped) >= target)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WaitForEventsAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The signal is taken before the read, so a commit between the two still wakes this wait.
            var signal = Volatile.Read(ref _committed);
            if (await LastSequenceAsync(cancellationToken).ConfigureAwait(false) > after)
            {
                return;
            }

            // Other nodes' commits are not signalled here: a shared index is looked at again shortly.
            await (_database.SharedByNodes
                ? Task.WhenAny(signal.Task, Task.Delay(SharedPoll, _time, cancellationToken)).Unwrap()
                : signal.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<long> LastSequenceAsync(CancellationToken cancellationToken)
    {
        if (!_database.SharedByNodes)
        {
            return Interlocked.Read(ref _lastSequence);
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT max(seq) FROM events", cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
    }

    /// <summary>Stops taking events, commits what is queued (a shared database that is away is not waited for), and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        if (_writer is not null)
        {
            if (await Task.WhenAny(_writer, Task.Delay(TimeSpan.FromSeconds(5), _time)).ConfigureAwait(false) != _writer)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
            }

            await _writer.ConfigureAwait(false);
        }

        _stopping.Dispose();
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>For a container disposed synchronously: the same drain, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync()
    {
        var batch = new IndexBatch();
        var pending = new List<DeliveryEvent>(256);
        var reader = _channel.Reader;
        IndexSession? session = null;
        var failures = 0;
        var written = 0;
        try
        {
            // A batch kept after a failure is tried again without waiting for a new event.
            while (pending.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (pending.Count < MaxBatch && reader.TryRead(out var entry))
                {
                    pending.Add(entry);
                }

                if (!_database.MayWrite)
                {
                    Drop(pending, "space");
                }
                else if (Commit(ref session, batch, pending))
                {
                    failures = 0;
                    written = pending.Count;
                }
                else if (!_database.SharedByNodes || Backlog > MaxBacklog || _stopping.IsCancellationRequested)
                {
                    Drop(pending, "write");
                }
                else
                {
                    // A shared database away: the batch is kept and tried again, later each time.
                    failures++;
                    await Delay(Backoff.Doubling(RetryFirst, RetryMost, failures)).ConfigureAwait(false);
                    continue;
                }

                pending.Clear();

                // Before the batch counts as written: a flush that returns has seen the prune it was due (hourly, and at open).
                if ((_prunedAt == 0 || _time.GetElapsedTime(_prunedAt) >= PruneEvery) && session is not null && (_mayPrune?.Invoke() ?? true))
                {
                    _prunedAt = _time.GetTimestamp();
                    Prune(session);
                }

                Interlocked.Add(ref _written, written);
                written = 0;
                Interlocked.Exchange(ref _committed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

                if (_batchInterval > TimeSpan.Zero && !reader.Completion.IsCompleted)
                {
                    await Delay(_batchInterval).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            session?.Dispose();
        }
    }

    private async Task Delay(TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop writes or drops what it holds, and ends.
        }
    }

    private bool Commit(ref IndexSession? session, IndexBatch batch, List<DeliveryEvent> pending)
    {
        try
        {
            session ??= _database.OpenSession();
            batch.Clear();
            foreach (var e in pending)
            {
                batch.Add(e, session);
            }

            var last = session.Commit(batch);
            Interlocked.Exchange(ref _lastSequence, Math.Max(last, Interlocked.Read(ref _lastSequence)));
            return true;
        }
        catch (Exception ex) when (_database.IsFault(ex))
        {
            if (_failureLog.ShouldLog("write", out var unlogged))
            {
                if (_database.SharedByNodes && Backlog <= MaxBacklog)
                {
                    IndexLog.WriteRetried(_logger, pending.Count, Backlog, unlogged, ex);
                }
                else
                {
                    IndexLog.WriteFailed(_logger, pending.Count, unlogged, ex);
                }
            }

            // The connection and its statements are made anew for the next try.
            session?.Dispose();
            session = null;
            batch.Forget();
            return false;
        }
    }

    private void Drop(List<DeliveryEvent> pending, string why)
    {
        Interlocked.Add(ref _dropped, pending.Count);
        if (why == "space" && _failureLog.ShouldLog(why, out var unlogged))
        {
            IndexLog.ShortOfSpace(_logger, pending.Count, unlogged);
        }
    }

    private void Prune(IndexSession session)
    {
        var now = _time.GetUtcNow();
        try
        {
            var (events, messages) = session.Prune(now - _maxAge, now - _statsMaxAge);
            if (events + messages > 0)
            {
                IndexLog.Pruned(_logger, events, messages, now - _maxAge);
            }
        }
        catch (Exception ex) when (_database.IsFault(ex))
        {
            if (_failureLog.ShouldLog("prune", out var unlogged))
            {
                IndexLog.WriteFailed(_logger, 0, unlogged, ex);
            }
        }
    }
}
