using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Sluice.Core.Events;
using Sluice.Core.Telemetry;

namespace Sluice.Storage.Events;

/// <summary>
/// The embedded message index, <c>events.db</c> in the data folder (SQLite, WAL): every event with
/// its sequence number, each message with its recipients' states, and counts per hour × sending
/// domain × tag. Events arrive as an <see cref="IEventSink"/> on the delivery path, which only
/// queues them; one writer commits them in batches (at most one commit per
/// <c>batchInterval</c>), so the index costs the hot path a channel write. It is derived data: a
/// crash can lose the last batch, never mail (the spool is the record). <c>synchronous=NORMAL</c>
/// for the same reason: a process restart loses nothing, a power cut the last commits.
/// </summary>
public sealed partial class SqliteEventIndex : IEventSink, IMessageIndex, IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 4096;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly TimeSpan _batchInterval;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _statsMaxAge;
    private readonly Func<bool>? _mayWrite;
    private readonly ILogger _logger;
    private readonly LogGate<string> _failureLog;
    private readonly Channel<DeliveryEvent> _channel = Channel.CreateUnbounded<DeliveryEvent>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;
    private long _lastSequence;
    private long _queued;
    private long _written;
    private long _dropped;
    private long _prunedAt;

    private SqliteEventIndex(string connectionString, TimeProvider time, TimeSpan batchInterval, TimeSpan maxAge, TimeSpan statsMaxAge, ILogger logger, Func<bool>? mayWrite)
    {
        _mayWrite = mayWrite;
        _connectionString = connectionString;
        _time = time;
        _batchInterval = batchInterval;
        _maxAge = maxAge;
        _statsMaxAge = statsMaxAge;
        _logger = logger;
        _failureLog = new LogGate<string>(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>The database, for the webhook store beside the index.</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>Events that reached the index's queue but could not be written (counted for the metric).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events queued and not yet committed.</summary>
    public long Backlog => Interlocked.Read(ref _queued) - Interlocked.Read(ref _written) - Interlocked.Read(ref _dropped);

    /// <param name="directory">The data folder; the index is <c>events.db</c> in it.</param>
    /// <param name="batchInterval">The least time between two commits (fewer, larger transactions under load).</param>
    /// <param name="maxAge">Events and messages older than this are pruned (as the event files).</param>
    /// <param name="statsMaxAge">Hourly statistics older than this are pruned.</param>
    /// <param name="mayWrite">False while the disk is short of space (the spool's answer when they share it): batches are dropped and counted, so the index never takes the space the spool keeps for its acknowledgements.</param>
    public static SqliteEventIndex Open(string directory, TimeProvider time, ILogger logger, TimeSpan? batchInterval = null, TimeSpan? maxAge = null, TimeSpan? statsMaxAge = null, Func<bool>? mayWrite = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "events.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 10 }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        connection.Execute(Schema);
        if (!connection.Query<string>("SELECT name FROM pragma_table_info('messages')").Contains("credential"))
        {
            // An index from before sender reputation (which needs a message's credential for late feedback).
            connection.Execute("ALTER TABLE messages ADD COLUMN credential TEXT NULL");
        }

        var index = new SqliteEventIndex(connectionString, time, batchInterval ?? TimeSpan.FromMilliseconds(100), maxAge ?? TimeSpan.FromDays(30), statsMaxAge ?? TimeSpan.FromDays(400), logger, mayWrite)
        {
            _lastSequence = connection.ExecuteScalar<long?>("SELECT max(seq) FROM events") ?? 0,
        };
        IndexLog.Opened(logger, path, index._lastSequence);
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
        while (Interlocked.Read(ref _lastSequence) <= after)
        {
            var signal = Volatile.Read(ref _committed);
            if (Interlocked.Read(ref _lastSequence) > after)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<long> LastSequenceAsync(CancellationToken cancellationToken) => Task.FromResult(Interlocked.Read(ref _lastSequence));

    /// <summary>Stops taking events, commits what is queued, and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>For a container disposed synchronously: the same drain, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync()
    {
        var batch = new List<DeliveryEvent>(256);
        var reader = _channel.Reader;
        await using var writer = new IndexWriter(_connectionString);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (_mayWrite is not null && !_mayWrite())
            {
                Interlocked.Add(ref _dropped, batch.Count);
                if (_failureLog.ShouldLog("space", out var unloggedSpace))
                {
                    IndexLog.ShortOfSpace(_logger, batch.Count, unloggedSpace);
                }
            }
            else
            {
                Commit(writer, batch);
            }

            batch.Clear();
            Interlocked.Exchange(ref _committed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (_prunedAt == 0 || _time.GetElapsedTime(_prunedAt) >= PruneEvery)
            {
                _prunedAt = _time.GetTimestamp();
                Prune(writer);
            }

            if (_batchInterval > TimeSpan.Zero && !reader.Completion.IsCompleted)
            {
                await Task.Delay(_batchInterval, _time).ConfigureAwait(false);
            }
        }
    }

    private void Commit(IndexWriter writer, List<DeliveryEvent> batch)
    {
        try
        {
            var last = writer.Commit(batch);
            Interlocked.Exchange(ref _lastSequence, Math.Max(last, Interlocked.Read(ref _lastSequence)));
            Interlocked.Add(ref _written, batch.Count);
        }
        catch (SqliteException ex)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            if (_failureLog.ShouldLog("write", out var unlogged))
            {
                IndexLog.WriteFailed(_logger, batch.Count, unlogged, ex);
            }

            writer.Reset();
        }
    }

    private void Prune(IndexWriter writer)
    {
        var now = _time.GetUtcNow();
        try
        {
            var (events, messages) = writer.Prune(now - _maxAge, now - _statsMaxAge);
            if (events + messages > 0)
            {
                IndexLog.Pruned(_logger, events, messages, now - _maxAge);
            }
        }
        catch (SqliteException ex)
        {
            if (_failureLog.ShouldLog("prune", out var unlogged))
            {
                IndexLog.WriteFailed(_logger, 0, unlogged, ex);
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
