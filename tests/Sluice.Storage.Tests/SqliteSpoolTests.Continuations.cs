namespace Sluice.Storage.Tests;

/// <summary>Where a spool operation's waiter continues once its batch is durable (ADR 0038).</summary>
public sealed partial class SqliteSpoolTests
{
    [Fact]
    public async Task AckAsync_Committed_WaiterContinuesOnTheWriterThread()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, RandomBytes(1_000, seed: 1), "a@example.com", "b@example.org");

        var thread = await Task.Run(async () =>
        {
            Assert.True(await spool.AckAsync(id, CancellationToken.None).ConfigureAwait(false));
            return Thread.CurrentThread.Name;
        });

        Assert.Equal("sluice-spool-writer", thread);
    }

    [Fact]
    public async Task DeferAsync_Committed_WaiterContinuesOffTheWriterThread()
    {
        await using var spool = Open();
        var id = await EnqueueAsync(spool, RandomBytes(1_000, seed: 1), "a@example.com", "b@example.org");

        var thread = await Task.Run(async () =>
        {
            Assert.True(await spool.DeferAsync(id, _time.GetUtcNow().AddMinutes(5), "451 4.4.1 later", null, CancellationToken.None).ConfigureAwait(false));
            return Thread.CurrentThread.Name;
        });

        Assert.NotEqual("sluice-spool-writer", thread);
    }
}
