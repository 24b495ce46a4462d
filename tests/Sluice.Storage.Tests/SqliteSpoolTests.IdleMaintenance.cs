using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Testing;

namespace Sluice.Storage.Tests;

/// <summary>The spool's writer gives space back when it has nothing more to write.</summary>
public sealed partial class SqliteSpoolTests
{
    [Fact]
    public async Task Enqueue_MoreThanACheckpointIntervalOfWal_KeepsTheWalFileAtItsWorkingSize()
    {
        await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path, HotCacheBytes = 0 }, _time, NullLogger.Instance);

        // About 24 MiB of WAL (small bodies are kept in the database): checkpointed at 16 MiB, the
        // WAL then starts again from its beginning. Its file keeps the size the interval filled;
        // a size limit under it (8 MiB until 12-02) cut the file at every checkpoint, and the
        // next writes had to extend it again.
        await StoreSmallBodiesAsync(spool);
        var wal = new FileInfo(Path.Combine(_dir.Path, "spool.db-wal")).Length;
        Assert.True(wal >= 15 * MiB, $"the WAL file is {wal} bytes");
    }

    [Fact]
    public async Task Maintenance_AcksWithinTheSpacingThenNoMoreWrites_VacuumsWhileIdle()
    {
        await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path, HotCacheBytes = 0 }, _time, NullLogger.Instance);

        // About 24 MiB of small bodies (kept in the database; the WAL is checkpointed into it at 16 MiB), stored and acknowledged without the
        // clock moving: every idle pass after the first falls inside the 5 s spacing.
        var ids = await StoreSmallBodiesAsync(spool);
        var acks = new List<Task<bool>>();
        foreach (var id in ids)
        {
            acks.Add(spool.AckAsync(id, CancellationToken.None).AsTask());
        }

        Assert.All(await Task.WhenAll(acks), Assert.True);
        var database = Path.Combine(_dir.Path, "spool.db");
        var full = new FileInfo(database).Length;
        Assert.True(full > 8 * MiB, $"the database is only {full} bytes");

        // Nothing more is written. Time passes (a second per poll: the writer's wake-up is on this
        // clock); the idle writer must vacuum on its own, not wait for a next write that never comes.
        await Poll.UntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(new FileInfo(database).Length < full / 4);
            },
            TimeSpan.FromSeconds(20),
            "the idle spool to give the acknowledged messages' pages back",
            () => $"database {new FileInfo(database).Length} bytes, {full} before");
    }

    /// <summary>3,000 messages of 8,000 bytes, all at once: about 24 MiB of WAL (bodies this small are kept in the database).</summary>
    private Task<MessageId[]> StoreSmallBodiesAsync(SqliteSpool spool)
    {
        var stored = new List<Task<MessageId>>();
        for (var i = 0; i < 3000; i++)
        {
            stored.Add(EnqueueAsync(spool, _ids, _time, _dir.Path, RandomBytes(8_000, seed: i), "a@example.com", "b@example.org"));
        }

        return Task.WhenAll(stored);
    }
}
