using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage.Tests;

/// <summary>Large bodies in segment files (ADR 0013): where they go, when their files go, and restarts.</summary>
public sealed partial class SqliteSpoolTests
{
    private const int Large = 100_000;

    private string BodiesPath => Path.Combine(_dir.Path, "bodies");

    [Fact]
    public async Task EnqueueAsync_LargeBody_IsWrittenToASegmentAndReadBackByteIdentical()
    {
        await using var spool = OpenSegmented(hotCacheBytes: 0);
        var bytes = RandomBytes(Large, seed: 10);

        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");

        Assert.Single(SegmentFiles());
        Assert.Equal(0, CountRows("SELECT COUNT(*) FROM bodies"));
        await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
        Assert.IsType<SegmentBodyStream>(stream);
        Assert.Equal(bytes, await ReadAllAsync(stream!));
    }

    [Fact]
    public async Task EnqueueAsync_SmallBody_StaysInTheDatabase()
    {
        await using var spool = OpenSegmented();

        await EnqueueAsync(spool, RandomBytes(1_000, seed: 11), "a@example.com", "b@example.org");

        Assert.Empty(SegmentFiles());
        Assert.Equal(1, CountRows("SELECT COUNT(*) FROM bodies"));
    }

    [Fact]
    public async Task AckAsync_EveryMessageOfEverySegment_DeletesTheirFilesTheCurrentOneToo()
    {
        await using var spool = OpenSegmented();
        var ids = new List<MessageId>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add(await EnqueueAsync(spool, RandomBytes(Large, seed: i), "a@example.com", "b@example.org"));
        }

        Assert.Equal(3, SegmentFiles().Count); // 1 MiB segments hold ten 100 KB bodies each
        foreach (var id in ids.Take(10))
        {
            Assert.True(await spool.AckAsync(id, CancellationToken.None));
        }

        Assert.Equal(["000000000002.seg", "000000000003.seg"], SegmentFiles());
        foreach (var id in ids.Skip(10))
        {
            Assert.True(await spool.AckAsync(id, CancellationToken.None));
        }

        // The current segment, emptied, pins no space either (disk-full hardening); the next body
        // begins a new one.
        Assert.Empty(SegmentFiles());
        await EnqueueAsync(spool, RandomBytes(Large, seed: 99), "a@example.com", "b@example.org");
        Assert.Equal(["000000000004.seg"], SegmentFiles());
    }

    [Fact]
    public async Task DeferAsync_SegmentBody_MovesIntoTheDatabaseAndFreesTheSegment()
    {
        await using var spool = OpenSegmented(hotCacheBytes: 0);
        var bodies = new Dictionary<MessageId, byte[]>();
        for (var i = 0; i < 12; i++)
        {
            var bytes = RandomBytes(Large, seed: 100 + i);
            bodies[await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org")] = bytes;
        }

        foreach (var id in bodies.Keys.Take(10))
        {
            Assert.True(await spool.DeferAsync(id, _time.GetUtcNow().AddMinutes(5), "451 4.7.1 later", null, CancellationToken.None));
        }

        Assert.Equal(["000000000002.seg"], SegmentFiles());
        Assert.Equal(10, CountRows("SELECT COUNT(*) FROM bodies"));
        foreach (var (id, bytes) in bodies)
        {
            await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
            Assert.Equal(bytes, await ReadAllAsync(stream!));
        }
    }

    [Fact]
    public async Task DeferAsync_SegmentFileRemovedByHand_DefersAndLaterWritesStillCommit()
    {
        await using var spool = OpenSegmented(hotCacheBytes: 0);
        var lost = await EnqueueAsync(spool, RandomBytes(Large, seed: 40), "a@example.com", "b@example.org");
        await EnqueueAsync(spool, RandomBytes(Large, seed: 41), "a@example.com", "b@example.org");
        await EnqueueAsync(spool, RandomBytes(Large * 10, seed: 42), "a@example.com", "b@example.org"); // seals segment 1
        File.Delete(Path.Combine(BodiesPath, "000000000001.seg"));

        Assert.True(await spool.DeferAsync(lost, _time.GetUtcNow().AddMinutes(1), "451 later", null, CancellationToken.None));

        var bytes = RandomBytes(Large, seed: 43);
        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");
        await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
        Assert.Equal(bytes, await ReadAllAsync(stream!));
        Assert.Null(await spool.OpenContentAsync(lost, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ByFilter_ReleasesTheSegmentsOfWhatItRemoves()
    {
        await using var spool = OpenSegmented();
        for (var i = 0; i < 15; i++)
        {
            await EnqueueAsync(spool, RandomBytes(Large, seed: i), "a@example.com", i < 10 ? "b@gone.example" : "b@kept.example");
        }

        var removed = await spool.DeleteAsync(new QueueFilter(Domain: "gone.example"), dryRun: false, CancellationToken.None);

        Assert.Equal(10, removed);
        Assert.Equal(["000000000002.seg"], SegmentFiles());
    }

    [Fact]
    public async Task Open_AfterRestart_ReadsSegmentBodiesAndRemovesUnreferencedSegments()
    {
        var bytes = RandomBytes(Large, seed: 20);
        MessageId id;
        await using (var spool = OpenSegmented())
        {
            id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");
        }

        // What a crash between a segment write and its commit leaves behind.
        await File.WriteAllBytesAsync(Path.Combine(BodiesPath, "000000000777.seg"), RandomBytes(5_000, seed: 21));

        await using var reopened = OpenSegmented();
        Assert.Equal(["000000000001.seg"], SegmentFiles());
        await using (var stream = await reopened.OpenContentAsync(id, CancellationToken.None))
        {
            Assert.Equal(bytes, await ReadAllAsync(stream!));
        }

        // Appends after a restart never go into an old segment, whose tail a crash may have torn.
        await EnqueueAsync(reopened, RandomBytes(Large, seed: 22), "a@example.com", "b@example.org");
        Assert.Equal(["000000000001.seg", "000000000778.seg"], SegmentFiles());
    }

    [Fact]
    public async Task Open_SpoolFromBeforeSegments_AddsTheColumnsAndKeepsItsMessages()
    {
        Directory.CreateDirectory(_dir.Path);
        using (var old = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "spool.db")};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, received_at INTEGER NOT NULL, sender TEXT NOT NULL,
                    envelope TEXT NOT NULL, size INTEGER NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL, next_attempt INTEGER NOT NULL,
                    lease_until INTEGER, last_reply TEXT);
                CREATE TABLE bodies (seq INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE, data BLOB NOT NULL);
                INSERT INTO messages VALUES (1, 'OLD1', 0, 'a@example.com', '{"Sender":"a@example.com","Recipients":[{"Address":"b@example.org"}]}', 5, 0, 0, 0, NULL, NULL);
                INSERT INTO bodies VALUES (1, CAST('hello' AS BLOB));
                """;
            create.ExecuteNonQuery();
        }

        await using var spool = OpenSegmented();
        Assert.Contains("messages_segment", QueryPlan("SELECT body_segment, COUNT(*) FROM messages WHERE body_segment IS NOT NULL GROUP BY body_segment"), StringComparison.Ordinal);
        await using (var stream = await spool.OpenContentAsync(new MessageId("OLD1"), CancellationToken.None))
        {
            Assert.Equal("hello"u8.ToArray(), await ReadAllAsync(stream!));
        }

        var bytes = RandomBytes(Large, seed: 30);
        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");
        Assert.Equal(2, spool.Depth);
        Assert.Single(SegmentFiles());
        Assert.True(await spool.AckAsync(new MessageId("OLD1"), CancellationToken.None));
        Assert.True(await spool.AckAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Spool_RandomEnqueueAckDeferAndRestart_KeepsEveryBodyAndOnlyReferencedSegments()
    {
        // The general rule over many random histories: whatever is queued reads back byte-identical,
        // after a restart too, and exactly the segments some message points into are on disk.
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var live = new Dictionary<MessageId, byte[]>();
            await using (var spool = OpenSegmented(hotCacheBytes: random.Next(2) * 1024 * 1024))
            {
                for (var step = 0; step < 40; step++)
                {
                    var choice = random.Next(10);
                    if (choice < 5 || live.Count == 0)
                    {
                        var bytes = RandomBytes(random.Next(3) == 0 ? random.Next(100, 5_000) : random.Next(20_000, 300_000), seed: (seed * 100) + step);
                        live[await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org")] = bytes;
                        continue;
                    }

                    var id = live.Keys.ElementAt(random.Next(live.Count));
                    if (choice < 8)
                    {
                        Assert.True(await spool.AckAsync(id, CancellationToken.None));
                        live.Remove(id);
                    }
                    else
                    {
                        Assert.True(await spool.DeferAsync(id, _time.GetUtcNow().AddMinutes(1), "451 later", null, CancellationToken.None));
                    }
                }

                await AssertBodiesAsync(spool, live);
            }

            await using (var reopened = OpenSegmented())
            {
                await AssertBodiesAsync(reopened, live);
                Assert.Equal(ReferencedSegments(), SegmentFiles());
                await reopened.DeleteAsync(QueueFilter.All, dryRun: false, CancellationToken.None);
                Assert.Empty(SegmentFiles());
            }
        }
    }

    private SqliteSpool OpenSegmented(long hotCacheBytes = 64L * 1024 * 1024)
        => SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path, SegmentBytes = 1024 * 1024, HotCacheBytes = hotCacheBytes }, _time, NullLogger.Instance);

    private static async Task AssertBodiesAsync(SqliteSpool spool, Dictionary<MessageId, byte[]> live)
    {
        Assert.Equal(live.Count, spool.Depth);
        foreach (var (id, bytes) in live)
        {
            await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
            Assert.Equal(bytes, await ReadAllAsync(stream!));
        }
    }

    private List<string> SegmentFiles()
        => Directory.Exists(BodiesPath) ? [.. Directory.GetFiles(BodiesPath).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)] : [];

    private List<string> ReferencedSegments()
        => [.. Query("SELECT DISTINCT body_segment FROM messages WHERE body_segment IS NOT NULL ORDER BY body_segment")
            .Select(n => Path.GetFileName(BodySegments.PathOf(BodiesPath, n)))];

    private long CountRows(string sql) => Query(sql).Single();

    private List<long> Query(string sql) => Read(sql, reader => reader.GetInt64(0));

    /// <summary>How SQLite would run a query: the open counts segment references through the partial index, not a table scan.</summary>
    private string QueryPlan(string sql) => string.Join('\n', Read("EXPLAIN QUERY PLAN " + sql, reader => reader.GetString(3)));

    /// <summary>One value from every row, read through a connection of the test's own.</summary>
    private List<T> Read<T>(string sql, Func<SqliteDataReader, T> value)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "spool.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(value(reader));
        }

        return values;
    }
}
