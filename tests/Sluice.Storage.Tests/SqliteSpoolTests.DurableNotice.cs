using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage.Tests;

/// <summary>The writer thread tells a waiting session the durable moment itself (<see cref="IDurableNotice"/>).</summary>
public sealed partial class SqliteSpoolTests
{
    [Fact]
    public async Task EnqueueAsync_WithNotice_ToldOnceBeforeTheResult()
    {
        await using var spool = Open();
        var notice = new CountingNotice();
        using var buffer = new MessageBuffer(_dir.Path);
        buffer.Write("x\r\n"u8);

        var result = await spool.EnqueueAsync(Envelope("a@example.com", "b@example.org"), _ids.Next(), _time.GetUtcNow(), buffer, notice, CancellationToken.None);

        Assert.Equal(EnqueueResult.Stored, result);
        Assert.Equal(1, notice.Told);
        Assert.NotEqual(Environment.CurrentManagedThreadId, notice.Thread);
    }

    [Fact]
    public async Task EnqueueAsync_NotStored_NoticeNotTold()
    {
        var spool = Open();
        await spool.DisposeAsync();
        var notice = new CountingNotice();
        using var buffer = new MessageBuffer(_dir.Path);

        var result = await spool.EnqueueAsync(Envelope("a@example.com", "b@example.org"), new MessageId("X"), _time.GetUtcNow(), buffer, notice, CancellationToken.None);

        Assert.Equal(EnqueueResult.ShuttingDown, result);
        Assert.Equal(0, notice.Told);
    }

    private sealed class CountingNotice : IDurableNotice
    {
        private int _told;

        public int Told => Volatile.Read(ref _told);

        public int Thread { get; private set; }

        public void Durable()
        {
            Thread = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref _told);
        }
    }
}
