using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Sluice.Storage;

public sealed partial class SqliteSpool
{
    private const int SqliteFull = 13;
    private const int SqliteIoErr = 10;
    private const int NoSpaceErrno = 28; // ENOSPC: .NET's IOException carries the errno as HResult on Unix

    private void WriterLoop()
    {
        var batch = new List<SpoolOperation>(_options.MaxBatchSize);
        var reader = _operations.Reader;
        var maintenancePending = false;
        while (WaitForOperations(reader, maintenancePending))
        {
            if (!reader.TryPeek(out _))
            {
                // Woken by the maintenance timer, not by work: finish what the last pass left.
                maintenancePending = MaintainWhenIdle();
                continue;
            }

            long bytes = 0;
            while (batch.Count < _options.MaxBatchSize && bytes < _options.MaxBatchBytes && reader.TryRead(out var op))
            {
                batch.Add(op);
                bytes += op.Bytes;
            }

            CommitBatch(batch);
            batch.Clear();
            if (!reader.TryPeek(out _))
            {
                maintenancePending = MaintainWhenIdle();
            }
        }
    }

    /// <summary>
    /// Waits for the next operation; false once the channel is completed. With maintenance left
    /// undone (the 5 s spacing, the vacuum's quarter second spent, a checkpoint a reader held back),
    /// it wakes within a second even without work, so that an idle spool still gives its space
    /// back: otherwise the space of delivered mail was kept until the next write, forever on a node
    /// with nothing more to send. One timer serves until it fires, not one per batch: under load
    /// every batch ends idle inside the spacing.
    /// </summary>
    private bool WaitForOperations(ChannelReader<SpoolOperation> reader, bool maintenancePending)
    {
        if (!maintenancePending)
        {
            return reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
        }

        _maintenanceTimer ??= new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
        try
        {
            return reader.WaitToReadAsync(_maintenanceTimer.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_maintenanceTimer.IsCancellationRequested)
        {
            _maintenanceTimer.Dispose();
            _maintenanceTimer = null;
            return true;
        }
    }

    /// <summary>
    /// After a burst (nothing waiting to be written), at most every 5 s, or at once when space is
    /// short: the WAL is checkpointed (its file is then cut back to journal_size_limit at the next
    /// write; when space is short, truncated to nothing at once, so that an idle spool on a full
    /// disk does not keep megabytes of WAL it no longer needs) and free pages go back to the
    /// filesystem (incremental auto-vacuum, new spools). Neither waits for readers long: what
    /// cannot be done now is done next time. Returns whether anything is left for a later pass.
    /// </summary>
    private bool MaintainWhenIdle()
    {
        var now = _time.GetTimestamp();
        var pressed = !_space.HasRoomFor(0);
        if (_commitsSinceMaintenance == 0)
        {
            return false;
        }

        if (!pressed && _time.GetElapsedTime(_lastMaintenance, now) < TimeSpan.FromSeconds(5))
        {
            return true;
        }

        _commitsSinceMaintenance = 0;
        _lastMaintenance = now;
        try
        {
            var checkpointed = Checkpoint(pressed ? "TRUNCATE" : "PASSIVE");
            using var command = _writeConnection.CreateCommand();
            command.CommandText = "PRAGMA freelist_count";
            var free = (long)command.ExecuteScalar()!;
            // 8 MiB of free pages are worth starting a vacuum for (any, when pressed); one started
            // goes on to the end over the next passes, whatever its quarter seconds leave.
            var vacuum = free > 0 && (pressed || free >= 2048 || _vacuumUnfinished);
            if (vacuum)
            {
                // In steps of 1 MiB of pages, each checkpointed (which cuts the database file; when
                // pressed, restarting the WAL so that it never needs more than a step, even on a disk
                // with nothing left); the writer is away a quarter second at most.
                var started = _time.GetTimestamp();
                while (free > 0 && _time.GetElapsedTime(started) < TimeSpan.FromMilliseconds(250))
                {
                    command.CommandText = "PRAGMA incremental_vacuum(256)";
                    command.ExecuteNonQuery();
                    checkpointed = Checkpoint(pressed ? "TRUNCATE" : "PASSIVE");
                    command.CommandText = "PRAGMA freelist_count";
                    free = (long)command.ExecuteScalar()!;
                }

                _space.Changed();
            }

            _vacuumUnfinished = vacuum && free > 0;

            if (checkpointed && !_vacuumUnfinished)
            {
                return false;
            }

            // Not finished: the vacuum's quarter second was spent, or a reader kept the checkpoint
            // from copying the last frames (the file is cut only when the checkpoint reaches the
            // vacuum's frames). The next pass goes on, not the next write.
            _commitsSinceMaintenance = 1;
            return true;
        }
        catch (SqliteException ex)
        {
            var full = ex.SqliteErrorCode == SqliteFull || IsNoSpace(ex);
            ReportFailure(full ? SpoolFailure.DiskFull : SpoolFailure.Database, 0, full ? null : ex);
            return false;
        }
    }

    /// <summary>
    /// Commits a batch. Intake that the free-space margin does not allow is refused before anything
    /// is written. When the disk is full anyway, the batch's bookkeeping (acks, leases, defers,
    /// deletes) is committed without its new messages, and if even that finds no room the reserve
    /// is given up for it: delivering and acknowledging go on while intake waits for space.
    /// </summary>
    private void CommitBatch(List<SpoolOperation> batch)
    {
        RefuseIntakeWithoutRoom(batch);
        if (batch.Count == 0)
        {
            return;
        }

        KeepWalShort(_space.Pressed);

        // A moved body is written twice (WAL, then database) before its segment can go: a quarter
        // of the space above the margin, at most.
        _bodies.MoveBudget = Math.Max(0, (_space.Available - _options.MinFreeBytes) / 4);

        var failure = TryCommit(batch);
        if (failure is not { } reason)
        {
            if (_space.NeedsRestore)
            {
                _space.Restore();
            }

            return;
        }

        if (reason != Core.Queue.EnqueueResult.StorageFull)
        {
            FailBatch(batch, reason);
            return;
        }

        _space.MarkFull();
        var bookkeeping = new List<SpoolOperation>(batch.Count);
        foreach (var op in batch)
        {
            if (op is EnqueueOperation)
            {
                op.Fail(reason);
            }
            else
            {
                bookkeeping.Add(op);
            }
        }

        if (bookkeeping.Count == 0)
        {
            return;
        }

        // Bookkeeping alone; then with the WAL restarted from its beginning (readers kept it from
        // being reused, so it grew into the last free space); then with the reserve given up.
        if (TryCommit(bookkeeping) is null
            || (Checkpoint("RESTART") && TryCommit(bookkeeping) is null)
            || (_space.Release() && TryCommit(bookkeeping) is null))
        {
            return;
        }

        FailBatch(bookkeeping, reason);
    }

    /// <summary>
    /// The WAL grows until a checkpoint (every 4,000 pages, 16 MiB, for throughput) and its file is
    /// cut back to 32 MiB when it restarts (<see cref="WalSettings"/>). With free space under twice the margin it is
    /// checkpointed every 256 pages (1 MiB) and cut back to 1 MiB instead, so that the spool's own
    /// bookkeeping cannot take what the margin keeps.
    /// </summary>
    private void KeepWalShort(bool pressed)
    {
        if (pressed == _walShort)
        {
            return;
        }

        try
        {
            using var command = _writeConnection.CreateCommand();
            command.CommandText = pressed ? ShortWalSettings : WalSettings;
            command.ExecuteNonQuery();
            _walShort = pressed;
        }
        catch (SqliteException ex)
        {
            ReportFailure(SpoolFailure.Database, 0, ex);
        }
    }

    /// <summary>
    /// Checkpoints the WAL. RESTART also makes the next commit write the WAL from its beginning
    /// (reusing the file instead of growing it), TRUNCATE in addition cuts the file to nothing;
    /// both wait for readers a quarter second at most, not the writer's usual five. True when the
    /// whole WAL was checkpointed.
    /// </summary>
    private bool Checkpoint(string mode)
    {
        try
        {
            using var command = _writeConnection.CreateCommand();
            command.CommandText = mode switch
            {
                "RESTART" => "PRAGMA busy_timeout=250; PRAGMA wal_checkpoint(RESTART)",
                "TRUNCATE" => "PRAGMA busy_timeout=250; PRAGMA wal_checkpoint(TRUNCATE)",
                _ => "PRAGMA wal_checkpoint(PASSIVE)",
            };
            using var reader = command.ExecuteReader();

            // One row: busy (0/1), WAL frames, frames checkpointed.
            return reader.Read() && reader.GetInt64(0) == 0 && reader.GetInt64(1) == reader.GetInt64(2);
        }
        catch (SqliteException ex)
        {
            var full = ex.SqliteErrorCode == SqliteFull || IsNoSpace(ex);
            ReportFailure(full ? SpoolFailure.DiskFull : SpoolFailure.Database, 0, full ? null : ex);
            return false;
        }
        finally
        {
            if (mode != "PASSIVE")
            {
                RestoreBusyTimeout();
            }
        }
    }

    private void RestoreBusyTimeout()
    {
        try
        {
            using var command = _writeConnection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout=5000";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            ReportFailure(SpoolFailure.Database, 0, ex);
        }
    }

    private void RefuseIntakeWithoutRoom(List<SpoolOperation> batch)
    {
        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var op = batch[i];
            if (op is EnqueueOperation && !_space.HasRoomFor(op.Bytes, admitted: true))
            {
                op.Fail(Core.Queue.EnqueueResult.StorageFull);
                ReportFailure(SpoolFailure.NoRoom, 1, null);
                continue;
            }

            batch[kept++] = op;
        }

        batch.RemoveRange(kept, batch.Count - kept);
    }

    /// <summary>
    /// Whether this batch must be on disk before it completes: new messages (a 250 waits for them)
    /// and an operator's bulk changes do. A batch of leases, acks, deferrals and holds only does
    /// not: a lease means nothing after a restart (the next open releases it), and the others are
    /// made durable by the next commit that syncs the WAL, which holds them in order. Only a power
    /// failure in between can undo them; then a message delivered just before is delivered again,
    /// the window SMTP has anyway between the next hop's reply and the ack. A process crash loses
    /// nothing either way: the WAL is in the page cache.
    /// </summary>
    private static bool NeedsSync(List<SpoolOperation> batch)
    {
        foreach (var op in batch)
        {
            if (op is EnqueueOperation or AdminOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>synchronous=FULL (fsync at commit) or NORMAL (WAL synced at the next FULL commit or checkpoint), changed only when it differs.</summary>
    private void SetSynchronous(bool full)
    {
        if (_synchronousFull == full)
        {
            return;
        }

        _statements.Get(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL").ExecuteNonQuery();
        _synchronousFull = full;
    }

    /// <summary>One transaction for <paramref name="batch"/>: null when it committed (and its operations completed), else why not (nothing of it is visible).</summary>
    private Core.Queue.EnqueueResult? TryCommit(List<SpoolOperation> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long enqueued = 0;
        long acked = 0;
        var wake = false;
        try
        {
            SetSynchronous(NeedsSync(batch));
            using (var transaction = _writeConnection.BeginTransaction())
            {
                _statements.Transaction = transaction;
                try
                {
                    foreach (var op in batch)
                    {
                        op.Execute(_statements, nowMs, _bodies);
                        if (op is EnqueueOperation)
                        {
                            enqueued++;
                        }
                        else if (op is UpdateOperation { IsAck: true })
                        {
                            acked++;
                        }
                        else if (op is UpdateOperation { DueAtMs: { } due })
                        {
                            _lane.DueAt(due);
                        }
                        else if (op is AdminOperation admin)
                        {
                            acked += admin.Removed;
                            wake = true;
                            _lane.Forget();
                        }
                        else if (op is ReleaseHeldOperation)
                        {
                            wake = true;
                            _lane.Forget();
                        }
                    }

                    // Bodies in segment files are durable before the rows that point at them (ADR 0013).
                    _bodies.Sync();
                    transaction.Commit();
                }
                finally
                {
                    // A failed batch must not leave the next one's statements (the synchronous pragma first) bound to a dead transaction.
                    _statements.Transaction = null;
                }
            }
        }
        catch (SqliteException ex)
        {
            var full = ex.SqliteErrorCode == SqliteFull || (ex.SqliteErrorCode == SqliteIoErr && IsNoSpace(ex));
            ReportFailure(full ? SpoolFailure.DiskFull : SpoolFailure.Database, batch.Count, full ? null : ex);
            ReopenWriteConnection();
            _bodies.Abort();
            ResetAttempt(batch);
            return full ? Core.Queue.EnqueueResult.StorageFull : Core.Queue.EnqueueResult.StorageFailed;
        }
        catch (IOException ex)
        {
            // A segment write or sync failed; the transaction was rolled back when it was disposed.
            var full = ex.HResult == NoSpaceErrno;
            ReportFailure(full ? SpoolFailure.DiskFull : SpoolFailure.Segment, batch.Count, full ? null : ex);
            _bodies.Abort();
            ResetAttempt(batch);
            return full ? Core.Queue.EnqueueResult.StorageFull : Core.Queue.EnqueueResult.StorageFailed;
        }

        _bodies.Commit();

        // The batch is durable: the sessions waiting on it answer now, from this thread, before the
        // bookkeeping below and before a pool thread runs their continuations (one hand-off less
        // between the fsync and the client's 250).
        foreach (var op in batch)
        {
            if (op is EnqueueOperation { Notice: { } notice })
            {
                notice.Durable();
            }
        }

        _commitsSinceMaintenance++;
        _space.Changed();

        Interlocked.Add(ref _depth, enqueued - acked);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _metrics?.SpoolBatchSize.Record(batch.Count);
        foreach (var op in batch)
        {
            // Before Commit completes the caller's task: the caller disposes the buffer once told, and the blocks must be ours by then.
            if (op is EnqueueOperation stored)
            {
                _hot.Adopt(stored.Id, stored.Content);
                if (stored.Leased is { } entry)
                {
                    _lane.Add(entry);
                }
            }
            else if (op is UpdateOperation updated)
            {
                _hot.Remove(updated.Id);
            }

            op.Commit();
            if (op is EnqueueOperation)
            {
                _metrics?.SpoolWriteDuration.Record(elapsed);
            }
        }

        // After the fresh entries are in the lane: a lease woken by this finds them.
        if (enqueued > 0 || wake)
        {
            Wake();
        }

        return null;
    }

    /// <summary>Operations keep what they learned while executing (rows removed, leases found); a retry starts them afresh.</summary>
    private static void ResetAttempt(List<SpoolOperation> batch)
    {
        foreach (var op in batch)
        {
            op.Reset();
        }
    }

    /// <summary>One line per cause a minute, with how many failures it stands for; a stack trace only for the unexpected.</summary>
    private void ReportFailure(SpoolFailure cause, int operations, Exception? unexpected)
    {
        Interlocked.Add(ref _failedOperations, operations);
        if (!_failureLog.ShouldLog(cause, out var unlogged))
        {
            return;
        }

        var since = Interlocked.Exchange(ref _failedOperations, 0);
        switch (cause)
        {
            case SpoolFailure.DiskFull:
                SpoolLog.DiskFull(_logger, _options.Directory, _space.Available, since, unlogged);
                break;
            case SpoolFailure.NoRoom:
                SpoolLog.NoRoom(_logger, _options.Directory, _space.Available, _options.MinFreeBytes, since, unlogged);
                break;
            default:
                SpoolLog.CommitFailed(_logger, cause, since, unlogged, unexpected);
                break;
        }
    }

    private void Wake()
    {
        try
        {
            _work.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is pending already.
        }
    }

    private static void FailBatch(List<SpoolOperation> batch, Core.Queue.EnqueueResult reason)
    {
        foreach (var op in batch)
        {
            op.Fail(reason);
        }
    }

    private static bool IsNoSpace(SqliteException ex)
        => ex.Message.Contains("full", StringComparison.OrdinalIgnoreCase)
            || ex.InnerException is IOException { HResult: NoSpaceErrno };

    private void ReopenWriteConnection()
    {
        // After a failed commit SQLite has rolled back; a fresh connection drops any state the failure left behind.
        try
        {
            _statements.Dispose();
            _writeConnection.Dispose();
        }
        catch (SqliteException)
        {
            // Closing a connection whose file just failed can fail too; the new one below is what matters.
        }

        _writeConnection = new SqliteConnection(_connectionString);
        _statements = new SpoolStatements(_writeConnection);
        _synchronousFull = true;
        _walShort = false;
        try
        {
            _writeConnection.Open();
            Configure(_writeConnection);
        }
        catch (SqliteException ex)
        {
            ReportFailure(SpoolFailure.Database, 0, ex);
        }
    }
}
