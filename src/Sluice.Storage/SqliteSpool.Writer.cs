using System.Diagnostics;
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
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            long bytes = 0;
            while (batch.Count < _options.MaxBatchSize && bytes < _options.MaxBatchBytes && reader.TryRead(out var op))
            {
                batch.Add(op);
                bytes += op.Bytes;
            }

            CommitBatch(batch);
            batch.Clear();
        }
    }

    private void CommitBatch(List<SpoolOperation> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long enqueued = 0;
        long acked = 0;
        var wake = false;
        try
        {
            using (var transaction = _writeConnection.BeginTransaction())
            {
                foreach (var op in batch)
                {
                    op.Execute(_writeConnection, transaction, nowMs, _bodies);
                    if (op is EnqueueOperation)
                    {
                        enqueued++;
                    }
                    else if (op is UpdateOperation { IsAck: true })
                    {
                        acked++;
                    }
                    else if (op is AdminOperation admin)
                    {
                        acked += admin.Removed;
                        wake = true;
                    }
                    else if (op is ReleaseHeldOperation)
                    {
                        wake = true;
                    }
                }

                // Bodies in segment files are durable before the rows that point at them (ADR 0013).
                _bodies.Sync();
                transaction.Commit();
            }
        }
        catch (SqliteException ex)
        {
            var reason = ex.SqliteErrorCode == SqliteFull || (ex.SqliteErrorCode == SqliteIoErr && IsNoSpace(ex))
                ? Core.Queue.EnqueueResult.StorageFull
                : Core.Queue.EnqueueResult.StorageFailed;
            SpoolLog.CommitFailed(_logger, batch.Count, ex.SqliteErrorCode, ex);
            ReopenWriteConnection();
            FailBatch(batch, reason);
            return;
        }
        catch (IOException ex)
        {
            // A segment write or sync failed; the transaction was rolled back when it was disposed.
            SpoolLog.SegmentWriteFailed(_logger, batch.Count, ex.HResult, ex);
            FailBatch(batch, ex.HResult == NoSpaceErrno ? Core.Queue.EnqueueResult.StorageFull : Core.Queue.EnqueueResult.StorageFailed);
            return;
        }

        _bodies.Commit();

        Interlocked.Add(ref _depth, enqueued - acked);
        if (enqueued > 0 || wake)
        {
            Wake();
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _metrics?.SpoolBatchSize.Record(batch.Count);
        foreach (var op in batch)
        {
            // Before Commit completes the caller's task: the caller disposes the buffer once told, and the blocks must be ours by then.
            if (op is EnqueueOperation stored)
            {
                _hot.Adopt(stored.Id, stored.Content);
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

    private void FailBatch(List<SpoolOperation> batch, Core.Queue.EnqueueResult reason)
    {
        _bodies.Abort();
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
            _writeConnection.Dispose();
        }
        catch (SqliteException)
        {
            // Closing a connection whose file just failed can fail too; the new one below is what matters.
        }

        _writeConnection = new SqliteConnection(_connectionString);
        try
        {
            _writeConnection.Open();
            Configure(_writeConnection);
        }
        catch (SqliteException ex)
        {
            SpoolLog.CommitFailed(_logger, 0, ex.SqliteErrorCode, ex);
        }
    }
}
