using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Testing;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;

namespace Sluice.Storage.Tests;

public sealed partial class SqliteSpoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time;
    private readonly MessageIdGenerator _ids;

    public SqliteSpoolTests()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        _ids = new MessageIdGenerator(_time);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EnqueueAsync_Message_IsStoredByteIdentical()
    {
        await using var spool = Open();
        var bytes = RandomBytes(200_000, seed: 1);

        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");

        await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
        Assert.NotNull(stream);
        Assert.Equal(bytes, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task OpenContentAsync_HotCacheOff_ReadsTheSameBytesFromTheFile()
    {
        await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path, HotCacheBytes = 0 }, _time, NullLogger.Instance);
        var bytes = RandomBytes(200_000, seed: 2);

        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");

        await using var stream = await spool.OpenContentAsync(id, CancellationToken.None);
        Assert.NotNull(stream);
        Assert.IsNotType<HotBodyStream>(stream);
        Assert.Equal(bytes, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task OpenContentAsync_JustQueued_IsServedFromMemoryAndAfterDeferFromTheFile()
    {
        await using var spool = Open();
        var bytes = RandomBytes(60_000, seed: 3); // under the helper's 64 KiB spill threshold
        var id = await EnqueueAsync(spool, bytes, "a@example.com", "b@example.org");

        await using (var hot = await spool.OpenContentAsync(id, CancellationToken.None))
        {
            Assert.IsType<HotBodyStream>(hot);
            Assert.Equal(bytes, await ReadAllAsync(hot!));
        }

        Assert.True(await spool.DeferAsync(id, _time.GetUtcNow().AddMinutes(1), "451 later", null, CancellationToken.None));
        await using var cold = await spool.OpenContentAsync(id, CancellationToken.None);
        Assert.IsNotType<HotBodyStream>(cold);
        Assert.Equal(bytes, await ReadAllAsync(cold!));
    }

    [Fact]
    public async Task Open_AfterDispose_RecoversQueueWithEnvelope()
    {
        MessageId id;
        await using (var spool = Open())
        {
            id = await EnqueueAsync(spool, "hello\r\n"u8.ToArray(), "a@example.com", "b@example.org", "c@example.net");
        }

        await using var reopened = Open();
        var entry = await reopened.GetAsync(id, CancellationToken.None);

        Assert.NotNull(entry);
        Assert.Equal("a@example.com", entry.Envelope.Sender);
        Assert.Equal(["b@example.org", "c@example.net"], entry.Envelope.Recipients.Select(r => r.Address));
        Assert.Equal("NOTIFY-VALUE", entry.Envelope.Recipients[0].Notify);
        Assert.Equal(1, reopened.Depth);
    }

    [Fact]
    public async Task LeaseAsync_DueMessages_AreOwnedUntilSettledHoweverLong()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");

        var first = await spool.LeaseAsync(10, CancellationToken.None);
        var second = await spool.LeaseAsync(10, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1));
        var muchLater = await spool.LeaseAsync(10, CancellationToken.None);

        Assert.Equal(id, Assert.Single(first).Id);
        Assert.Equal(QueueMessageState.InFlight, first[0].State);
        Assert.Empty(second);
        Assert.Empty(muchLater);
    }

    [Fact]
    public async Task HoldAsync_LeasedMessage_IsNotLeasedUntilItsKeyIsReleasedAndKeepsAttemptsAndDueTime()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        var due = Assert.Single(await spool.LeaseAsync(1, CancellationToken.None)).NextAttemptAt;

        Assert.True(await spool.HoldAsync(id, "suspended:example.org", null, CancellationToken.None));
        var whileHeld = await spool.LeaseAsync(1, CancellationToken.None);
        var state = (await spool.GetAsync(id, CancellationToken.None))!.State;
        Assert.Equal(0, await spool.ReleaseHeldAsync("queue:other", 10, CancellationToken.None));
        Assert.Equal(1, await spool.ReleaseHeldAsync("suspended:example.org", 10, CancellationToken.None));
        var released = Assert.Single(await spool.LeaseAsync(1, CancellationToken.None));

        Assert.Empty(whileHeld);
        Assert.Equal(QueueMessageState.Held, state);
        Assert.Equal(0, released.Attempts);
        Assert.Equal(due, released.NextAttemptAt);
    }

    [Fact]
    public async Task ReleaseHeldAsync_WithMax_ReleasesOldestFirstAndNoMore()
    {
        await using var spool = Open();
        var ids = new List<MessageId>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org"));
        }

        foreach (var entry in await spool.LeaseAsync(5, CancellationToken.None))
        {
            await spool.HoldAsync(entry.Id, "queue:k", null, CancellationToken.None);
        }

        Assert.Equal(2, await spool.ReleaseHeldAsync("queue:k", 2, CancellationToken.None));
        var leased = await spool.LeaseAsync(5, CancellationToken.None);

        Assert.Equal(ids.Take(2).Select(i => i.Value), leased.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Open_AfterHoldsAndLeases_ReleasesBoth()
    {
        MessageId held, leased;
        await using (var spool = Open())
        {
            held = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
            leased = await EnqueueAsync(spool, "y\r\n"u8.ToArray(), "a@example.com", "b@example.org");
            await spool.LeaseAsync(2, CancellationToken.None);
            await spool.HoldAsync(held, "queue:k", null, CancellationToken.None);
        }

        await using var reopened = Open();
        var again = await reopened.LeaseAsync(5, CancellationToken.None);

        Assert.Equal(new[] { held.Value, leased.Value }.Order(StringComparer.Ordinal), again.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FlushAsync_HeldMessage_IsDueAgain()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        await spool.LeaseAsync(1, CancellationToken.None);
        await spool.HoldAsync(id, "queue:k", null, CancellationToken.None);

        Assert.Equal(1, await spool.FlushAsync(new QueueFilter(Domain: "example.org"), CancellationToken.None));

        Assert.Equal(id, Assert.Single(await spool.LeaseAsync(1, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task WaitForWorkAsync_Enqueue_WakesBeforeTheTimeout()
    {
        await using var spool = Open();
        var waiting = spool.WaitForWorkAsync(TimeSpan.FromMinutes(10), CancellationToken.None);

        await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task DeferAsync_Message_IsNotDueUntilThenAndCountsAttempt()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        await spool.LeaseAsync(1, CancellationToken.None);

        Assert.True(await spool.DeferAsync(id, _time.GetUtcNow().AddMinutes(5), "451 4.7.1 try later", null, CancellationToken.None));
        Assert.Empty(await spool.LeaseAsync(1, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(5));
        var leased = Assert.Single(await spool.LeaseAsync(1, CancellationToken.None));

        Assert.Equal(1, leased.Attempts);
        Assert.Equal("451 4.7.1 try later", leased.LastReply);
    }

    [Fact]
    public async Task DeferAsync_WithRemainingRecipients_ReplacesEnvelopeAndDomains()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@one.example", "c@two.example");
        var entry = (await spool.GetAsync(id, CancellationToken.None))!;

        await spool.DeferAsync(id, _time.GetUtcNow(), "451 later", entry.Envelope with { Recipients = [entry.Envelope.Recipients[1]] }, CancellationToken.None);

        var after = (await spool.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(["c@two.example"], after.Envelope.Recipients.Select(r => r.Address));
        var summary = await spool.GetSummaryAsync(CancellationToken.None);
        Assert.False(summary.ByDomain.ContainsKey("one.example"));
        Assert.Equal(1, summary.ByDomain["two.example"]);
    }

    [Fact]
    public async Task AckAsync_Message_LeavesQueueWithItsBody()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");

        Assert.True(await spool.AckAsync(id, CancellationToken.None));

        Assert.Null(await spool.GetAsync(id, CancellationToken.None));
        Assert.Null(await spool.OpenContentAsync(id, CancellationToken.None));
        Assert.Equal(0, spool.Depth);
        Assert.Equal(0, (await spool.GetSummaryAsync(CancellationToken.None)).Total);
    }

    [Fact]
    public async Task DeadLetterAsync_Message_IsNeverLeasedAgain()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");

        Assert.True(await spool.DeadLetterAsync(id, "550 5.1.1 no such user", CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(1));

        Assert.Empty(await spool.LeaseAsync(10, CancellationToken.None));
        Assert.Equal(QueueMessageState.DeadLetter, (await spool.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Open_WithLeasesFromPreviousProcess_ReleasesThem()
    {
        await using (var spool = Open())
        {
            await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
            Assert.Single(await spool.LeaseAsync(1, CancellationToken.None));
        }

        await using var reopened = Open();
        Assert.Single(await reopened.LeaseAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task GetSummaryAsync_CountsByStateAndDistinctDomain()
    {
        await using var spool = Open();
        await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@Example.org", "c@example.org", "d@example.net");
        await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "e@example.org");
        var third = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "f@example.net");
        await spool.DeadLetterAsync(third, null, CancellationToken.None);

        var summary = await spool.GetSummaryAsync(CancellationToken.None);

        Assert.Equal(3, summary.Total);
        Assert.Equal(2, summary.ByState["queued"]);
        Assert.Equal(1, summary.ByState["dead-letter"]);
        Assert.Equal(2, summary.ByDomain["example.org"]);
        Assert.Equal(2, summary.ByDomain["example.net"]);
        Assert.Equal(_time.GetUtcNow(), summary.OldestReceivedAt);
    }

    [Fact]
    public async Task ListAsync_Pages_CoverEveryMessageOnceInIdOrder()
    {
        await using var spool = Open();
        var ids = new List<MessageId>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org"));
        }

        var seen = new List<MessageId>();
        string? cursor = null;
        do
        {
            var page = await spool.ListAsync(3, cursor, CancellationToken.None);
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task EnqueueAsync_ConcurrentWriters_ShareCommits()
    {
        using var meterFactory = new TestMeterFactory();
        var metrics = new SluiceMetrics(meterFactory);
        long commits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == "sluice.spool.commit.messages" && ReferenceEquals(i.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref commits));
        listener.Start();
        await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path }, _time, NullLogger.Instance, metrics);

        var tasks = Enumerable.Range(0, 400).Select(i => Task.Run(() => EnqueueAsync(spool, RandomBytes(4096, i), "a@example.com", "b@example.org")));
        var ids = await Task.WhenAll(tasks);

        Assert.Equal(400, ids.Distinct().Count());
        Assert.Equal(400, spool.Depth);
        Assert.True(Interlocked.Read(ref commits) < 400, $"expected group commits, got {commits} commits for 400 messages");
    }

    [Fact]
    public async Task Open_SameFolderTwice_IsRefused()
    {
        await using var spool = Open();

        var ex = Assert.Throws<IOException>(() => Open());
        Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnqueueAsync_AfterDispose_SaysShuttingDown()
    {
        var spool = Open();
        await spool.DisposeAsync();
        using var buffer = new MessageBuffer(_dir.Path);

        var result = await spool.EnqueueAsync(Envelope("a@example.com", "b@example.org"), new MessageId("X"), _time.GetUtcNow(), buffer, CancellationToken.None);

        Assert.Equal(EnqueueResult.ShuttingDown, result);
    }

    private SqliteSpool Open() => SqliteSpool.Open(new SpoolOptions { Directory = _dir.Path }, _time, NullLogger.Instance);

    private Task<MessageId> EnqueueAsync(SqliteSpool spool, byte[] bytes, string sender, params string[] recipients)
        => EnqueueAsync(spool, _ids, _time, _dir.Path, bytes, sender, recipients);

    /// <summary>Stores one message received now (by <paramref name="time"/>), its buffer spilling under <paramref name="folder"/>.</summary>
    private static async Task<MessageId> EnqueueAsync(SqliteSpool spool, MessageIdGenerator ids, TimeProvider time, string folder, byte[] bytes, string sender, params string[] recipients)
    {
        var id = ids.Next();
        using var buffer = new MessageBuffer(Path.Combine(folder, "tmp"), memoryThreshold: 64 * 1024);
        buffer.Write(bytes);
        var result = await spool.EnqueueAsync(Envelope(sender, recipients), id, time.GetUtcNow(), buffer, CancellationToken.None);
        Assert.Equal(EnqueueResult.Stored, result);
        return id;
    }

    private static Envelope Envelope(string sender, params string[] recipients)
        => new(sender, [.. recipients.Select(r => new EnvelopeRecipient(r, "NOTIFY-VALUE"))]);

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }
}
