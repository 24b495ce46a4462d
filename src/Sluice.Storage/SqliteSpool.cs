using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;

namespace Sluice.Storage;

/// <summary>
/// The embedded durable spool. Writes go through one writer thread that commits whole batches
/// (group commit: one WAL fsync for every operation that arrived while the previous commit ran);
/// reads use pooled connections of their own.
/// </summary>
public sealed partial class SqliteSpool : IMessageQueue, IAsyncDisposable
{
    private readonly SpoolOptions _options;
    private readonly HotBodyCache _hot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SluiceMetrics? _metrics;
    private readonly Channel<SpoolOperation> _operations = Channel.CreateUnbounded<SpoolOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _connectionString;
    private readonly string _readConnectionString;
    private readonly FileStream _lock;
    private readonly Thread _writer;
    private readonly BodySegments _bodies;
    private readonly SpoolSpace _space;
    private readonly LogGate<SpoolFailure> _failureLog;
    private readonly FreshLane _lane = new();
    private SqliteConnection _writeConnection;
    private SpoolStatements _statements;

    // The write connection opens with synchronous=FULL (Configure); the writer lowers it for batches that need no fsync.
    private bool _synchronousFull = true;
    private long _failedOperations;
    private int _commitsSinceMaintenance;
    private bool _walShort;
    private long _lastMaintenance;

    /// <summary>Wakes the idle writer for maintenance left undone; only the writer thread touches it.</summary>
    private CancellationTokenSource? _maintenanceTimer;

    /// <summary>A vacuum stopped by its time limit with free pages left; the writer thread's own.</summary>
    private bool _vacuumUnfinished;
    private Tuple<DateTimeOffset, List<System.Diagnostics.Metrics.Measurement<long>>>? _byState;
    private long _depth;
    private int _stopping;

    private SqliteSpool(SpoolOptions options, TimeProvider time, ILogger logger, SluiceMetrics? metrics, FileStream lockFile, SqliteConnection writeConnection, string connectionString, long depth, BodySegments bodies, SpoolSpace space)
    {
        _bodies = bodies;
        _space = space;
        _failureLog = new LogGate<SpoolFailure>(time, TimeSpan.FromMinutes(1));
        _lastMaintenance = time.GetTimestamp();
        _options = options;
        _hot = new HotBodyCache(options.HotCacheBytes);
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _lock = lockFile;
        _writeConnection = writeConnection;
        _statements = new SpoolStatements(writeConnection);
        _connectionString = connectionString;
        _readConnectionString = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString();
        _depth = depth;
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "sluice-spool-writer" };
        _writer.Start();
    }

    public string DatabasePath => Path.Combine(_options.Directory, "spool.db");

    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Raised on the writer thread after a commit that stored new messages (wakes the dispatcher).</summary>
    /// <summary>Signalled when a commit may have made messages due (enqueue, flush, release); at most one wake-up pending.</summary>
    private readonly SemaphoreSlim _work = new(0, 1);

    /// <summary>
    /// Opens (creating if needed) the spool in <see cref="SpoolOptions.Directory"/>. SQLite replays
    /// its WAL, so a crash leaves exactly the committed messages; leases held by the previous
    /// process are released because this node owns the folder alone (a lock file enforces it).
    /// </summary>
    public static SqliteSpool Open(SpoolOptions options, TimeProvider time, ILogger logger, SluiceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Directory);
        var lockPath = Path.Combine(options.Directory, "spool.lock");
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The spool folder '{options.Directory}' is in use by another Sluice process.", ex);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(options.Directory, "spool.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        var space = new SpoolSpace(options.Directory, options.MinFreeBytes, options.ReserveBytes, time);

        // A disk that is full at start-up (another process filled it, or the node stopped at its
        // limit): the reserve goes first, so that the WAL's recovery, the lease release and the
        // node's other stores in this folder can open. Delivering is what frees space again.
        if (space.Available < Math.Max(options.ReserveBytes, 1024 * 1024) && space.Release())
        {
            SpoolLog.ReserveUsedAtOpen(logger, options.Directory, options.ReserveBytes);
            space.MarkFull();
        }

        SqliteConnection connection;
        long depth;
        try
        {
            (connection, depth) = OpenDatabase(connectionString);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFull || IsNoSpace(ex) || (ex.SqliteErrorCode == SqliteIoErr && space.Available < Math.Max(options.ReserveBytes, 1024 * 1024)))
        {
            // (On a full disk SQLite may say "disk I/O error": growing the -shm file or the WAL failed.)
            // A full disk must not keep the node from starting: the reserve is for exactly this
            // (recovering the WAL, releasing leases), and delivering is what frees space.
            if (!space.Release())
            {
                throw new IOException($"The spool disk at '{options.Directory}' is full ({space.Available} bytes free) and there is no reserve to give up; free some space.", ex);
            }

            SpoolLog.ReserveUsedAtOpen(logger, options.Directory, options.ReserveBytes);
            space.MarkFull();
            (connection, depth) = OpenDatabase(connectionString);
        }

        var bodies = BodySegments.Open(BodiesDirectory(options), options.SegmentBytes, options.LargeBodyBytes, SegmentReferences(connection));
        var spool = new SqliteSpool(options, time, logger, metrics, lockFile, connection, connectionString, depth, bodies, space);
        metrics?.ObserveQueueDepth(() => spool.Depth);
        metrics?.ObserveQueueDepthByState(spool.DepthByState);
        SpoolLog.Opened(logger, spool.DatabasePath, depth);
        return spool;
    }

    /// <summary>
    /// Opens the database, makes the schema and releases what a previous process had in hand.
    /// A new database gets incremental auto-vacuum, so that the space of delivered mail can be given
    /// back to the filesystem (a spool made before keeps SQLite's default and only reuses it).
    /// </summary>
    private static (SqliteConnection Connection, long Depth) OpenDatabase(string connectionString)
    {
        var isNew = !File.Exists(new SqliteConnectionStringBuilder(connectionString).DataSource);
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            if (isNew)
            {
                using var vacuum = connection.CreateCommand();
                vacuum.CommandText = "PRAGMA auto_vacuum=INCREMENTAL";
                vacuum.ExecuteNonQuery();
            }

            Configure(connection);
            CreateSchema(connection);
            using var command = connection.CreateCommand();

            // Leases and holds belong to the process that made them: the engine starts with nothing
            // in hand. Written only when there is something to release (a full disk may not take it).
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM messages WHERE state IN (1, 3))";
            if ((long)command.ExecuteScalar()! == 1)
            {
                command.CommandText = "UPDATE messages SET state = 0, lease_until = NULL, held_for = NULL WHERE state IN (1, 3)";
                command.ExecuteNonQuery();
            }

            command.CommandText = "SELECT COUNT(*) FROM messages";
            return (connection, (long)command.ExecuteScalar()!);
        }
        catch
        {
            connection.Dispose();
            SqliteConnection.ClearPool(connection);
            throw;
        }
    }

    /// <inheritdoc/>
    public bool HasRoomFor(long bytes) => _space.HasRoomFor(bytes);

    /// <summary>
    /// The disk was found full, or free space is under a quarter of the margin: what shares the
    /// disk and is not mail (the event log) should not write now.
    /// </summary>
    public bool ShortOfSpace => _space.Short;

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
        => EnqueueAsync(envelope, id, receivedAt, content, null, cancellationToken);

    /// <summary>Stores a message; <paramref name="notice"/> is told on the writer thread right after the commit's fsync, before the task completes.</summary>
    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, IDurableNotice? notice, CancellationToken cancellationToken)
        => Submit(new EnqueueOperation(envelope, id, receivedAt, content, _lane, notice), EnqueueResult.ShuttingDown);

    /// <summary>
    /// New messages stored leased come from memory (<see cref="FreshLane"/>); the database is asked
    /// only for the rest, and only when a waiting message may be due by now.
    /// </summary>
    public ValueTask<IReadOnlyList<QueueEntry>> LeaseAsync(int max, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopping) == 1)
        {
            return ValueTask.FromResult<IReadOnlyList<QueueEntry>>([]);
        }

        var taken = new List<QueueEntry>();
        _lane.Take(max, taken);
        if (taken.Count == max)
        {
            return ValueTask.FromResult<IReadOnlyList<QueueEntry>>(taken);
        }

        if (_lane.NothingDueAt(_time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            _lane.SetRoom(max - taken.Count);
            return ValueTask.FromResult<IReadOnlyList<QueueEntry>>(taken);
        }

        var lease = Submit(new LeaseOperation(max - taken.Count, _lane), (IReadOnlyList<QueueEntry>)[]);
        return taken.Count == 0 ? lease : LeaseMoreAsync(taken, lease);
    }

    private static async ValueTask<IReadOnlyList<QueueEntry>> LeaseMoreAsync(List<QueueEntry> taken, ValueTask<IReadOnlyList<QueueEntry>> lease)
    {
        taken.AddRange(await lease.ConfigureAwait(false));
        return taken;
    }

    public ValueTask<bool> AckAsync(MessageId id, CancellationToken cancellationToken)
        => Submit(new UpdateOperation(UpdateKind.Ack, id, 0, null), false);

    public ValueTask<bool> DeferAsync(MessageId id, DateTimeOffset until, string? lastReply, Envelope? remaining, CancellationToken cancellationToken)
        => Submit(new UpdateOperation(UpdateKind.Defer, id, until.ToUnixTimeMilliseconds(), lastReply, remaining), false);

    public ValueTask<bool> HoldAsync(MessageId id, string holdKey, Envelope? remaining, CancellationToken cancellationToken)
        => Submit(new UpdateOperation(UpdateKind.Hold, id, 0, null, remaining, holdKey), false);

    public ValueTask<long> ReleaseHeldAsync(string holdKey, int max, CancellationToken cancellationToken)
        => Submit(new ReleaseHeldOperation(holdKey, max), -1L);

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _work.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the caller sees its token.
        }
    }

    public ValueTask<bool> DeadLetterAsync(MessageId id, string? lastReply, CancellationToken cancellationToken)
        => Submit(new UpdateOperation(UpdateKind.DeadLetter, id, 0, lastReply), false);

    public ValueTask<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken)
        => Submit(new AdminOperation(AdminKind.Flush, filter, dryRun: false), -1L);

    public ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken)
        => Submit(new AdminOperation(AdminKind.Delete, filter, dryRun), -1L);

    /// <summary>Stops taking writes, commits everything already handed over, and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        _operations.Writer.TryComplete();
        await Task.Run(_writer.Join).ConfigureAwait(false);
        _maintenanceTimer?.Dispose();
        _bodies.Dispose();
        _statements.Dispose();
        _writeConnection.Dispose();
        _work.Dispose();
        SqliteConnection.ClearAllPools();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The WAL is checkpointed every 4,000 pages (16 MiB, for throughput). After a checkpoint the
    /// next commit writes it from its beginning again and cuts its file back to journal_size_limit:
    /// 32 MiB, twice what a checkpoint interval fills, so that the file keeps its working size and
    /// only a burst beyond it is given back. A limit under that size (8 MiB before 12-02) cut the
    /// file at every checkpoint (25 times over 20,000 relayed 4 KB and 5,000 100 KB messages), and
    /// the next 8 MiB of WAL writes then extended the file again: new blocks allocated and pages
    /// added to the cache instead of pages overwritten in place.
    /// </summary>
    internal const string WalSettings = "PRAGMA wal_autocheckpoint=4000; PRAGMA journal_size_limit=33554432;";

    /// <summary>With free space under twice the margin: checkpointed every 256 pages (1 MiB) and cut back to 1 MiB (see KeepWalShort).</summary>
    internal const string ShortWalSettings = "PRAGMA wal_autocheckpoint=256; PRAGMA journal_size_limit=1048576;";

    private static void Configure(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();

        // WAL + synchronous=FULL: a commit returns only after the WAL is fsynced, so a committed
        // message survives power loss; a crash mid-commit leaves no trace of the batch.
        // wal_autocheckpoint and journal_size_limit: see WalSettings.
        command.CommandText =
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; " +
            "PRAGMA busy_timeout=5000; " + WalSettings;
        command.ExecuteNonQuery();
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS messages (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                received_at INTEGER NOT NULL,
                sender TEXT NOT NULL,
                envelope TEXT NOT NULL,
                size INTEGER NOT NULL,
                state INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL,
                lease_until INTEGER,
                last_reply TEXT,
                body_segment INTEGER,
                body_offset INTEGER);
            CREATE INDEX IF NOT EXISTS messages_due ON messages (state, next_attempt);
            CREATE TABLE IF NOT EXISTS bodies (
                seq INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
                data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS message_domains (
                seq INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
                domain TEXT NOT NULL,
                PRIMARY KEY (seq, domain)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS message_domains_domain ON message_domains (domain);
            """;
        command.ExecuteNonQuery();

        // Spools made before segment files (ADR 0013) keep every body in the database: no segment.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'body_segment'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            command.CommandText = "ALTER TABLE messages ADD COLUMN body_segment INTEGER; ALTER TABLE messages ADD COLUMN body_offset INTEGER;";
            command.ExecuteNonQuery();
        }

        // Held messages (ADR 0014) name what they wait for; spools from before holds get the column.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'held_for'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            command.CommandText = "ALTER TABLE messages ADD COLUMN held_for TEXT";
            command.ExecuteNonQuery();
        }

        command.CommandText = "DROP INDEX IF EXISTS messages_lease; CREATE INDEX IF NOT EXISTS messages_held ON messages (held_for, seq) WHERE state = 3";
        command.ExecuteNonQuery();

        // Only messages awaiting their first attempt point into a segment: a small index that lets
        // the open count segment references without reading every row (1M rows: ~1 ms, not ~200 ms
        // warm and much more from a cold disk).
        command.CommandText = "CREATE INDEX IF NOT EXISTS messages_segment ON messages (body_segment) WHERE body_segment IS NOT NULL";
        command.ExecuteNonQuery();
    }

    private static string BodiesDirectory(SpoolOptions options) => Path.Combine(options.Directory, "bodies");

    /// <summary>How many messages point into each segment file: the truth the segment store starts from.</summary>
    private static Dictionary<long, long> SegmentReferences(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body_segment, COUNT(*) FROM messages WHERE body_segment IS NOT NULL GROUP BY body_segment";
        using var reader = command.ExecuteReader();
        var references = new Dictionary<long, long>();
        while (reader.Read())
        {
            references[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return references;
    }

    private ValueTask<T> Submit<T>(SpoolOperation<T> operation, T whenStopping)
    {
        if (Volatile.Read(ref _stopping) == 1 || !_operations.Writer.TryWrite(operation))
        {
            return ValueTask.FromResult(whenStopping);
        }

        return new ValueTask<T>(operation.Task);
    }
}
