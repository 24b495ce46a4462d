using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>The 250 for a stored message leaves from the spool's writer thread at the commit (<see cref="Sessions.DurableReply"/>).</summary>
public sealed class DurableReplyDialogTests
{
    [Fact]
    public async Task Data_SpoolToldDurable_250ArrivesBeforeTheStoreReturns()
    {
        var (node, store) = await StartAsync();
        await using var _ = node;
        await using var dialog = await node.HelloAsync();
        await dialog.BeginDataAsync();

        // The store's task is held: only the writer thread can have sent this.
        var reply = await dialog.CommandAsync("Subject: early\r\n\r\nbody\r\n.");
        Assert.False(store.Released.Task.IsCompleted);
        store.Released.SetResult();

        var id = DataDialogTests.QueuedId(reply);
        Assert.NotNull(await node.Spool.GetAsync(new MessageId(id), CancellationToken.None));
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP")); // the 250 was sent once
    }

    [Fact]
    public async Task Bdat_PipelinedAfterUnsentReplies_250ComesAfterThem()
    {
        var (node, store) = await StartAsync();
        await using var _ = node;
        await using var dialog = await node.HelloAsync();

        // MAIL and RCPT are answered in the writer's buffer when BDAT LAST commits: the 250 for the
        // message must not overtake them, so it waits for the session (and the held store).
        await dialog.SendAsync("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 10 LAST\r\nSubject:\r\n");
        var read = dialog.ReadReplyAsync();
        await NothingUntilStoredAsync(read, store);
        store.Released.SetResult();

        Assert.StartsWith("250 2.1.0", await read, StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 OK: queued as ", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_OverTls_ReplyFromTheSessionAfterTheStore()
    {
        var (node, store) = await StartAsync();
        await using var _ = node;
        await using var dialog = await node.HelloAsync();
        Assert.Equal("220 2.0.0 Ready to start TLS", await dialog.CommandAsync("STARTTLS"));
        await dialog.StartTlsAsync();
        Assert.StartsWith("250", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        await dialog.BeginDataAsync();

        // TLS records are the stream's to write: the writer thread sends nothing.
        await dialog.SendAsync("Subject: tls\r\n\r\nbody\r\n.\r\n");
        var read = dialog.ReadReplyAsync();
        await NothingUntilStoredAsync(read, store);
        store.Released.SetResult();

        Assert.StartsWith("250 2.0.0 OK: queued as ", await read, StringComparison.Ordinal);
    }

    /// <summary>A node whose spool's tasks are held until the test releases them.</summary>
    private static async Task<(TestNode Node, HeldStore Store)> StartAsync()
    {
        var store = new HeldStore();
        var node = await TestNode.StartAsync(queue: store);
        store.Inner = node.Spool;
        return (node, store);
    }

    /// <summary>The store has committed the message and holds its task; no reply may have arrived.</summary>
    private static async Task NothingUntilStoredAsync(Task<string> read, HeldStore store)
    {
        if (await Task.WhenAny(read, store.Entered.Task) == read || read.IsCompleted)
        {
            Assert.Fail("a reply before the store returned: " + await read);
        }
    }

    /// <summary>The spool, with the task of each store held until the test releases it (the durable notice still goes through).</summary>
    private sealed class HeldStore : IMessageStore
    {
        public IMessageStore Inner { get; set; } = null!;

        /// <summary>Set once the spool has committed a message and its task is being held.</summary>
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
            => EnqueueAsync(envelope, id, receivedAt, content, null, cancellationToken);

        public async ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, IDurableNotice? notice, CancellationToken cancellationToken)
        {
            var result = await Inner.EnqueueAsync(envelope, id, receivedAt, content, notice, cancellationToken);
            Entered.TrySetResult();
            await Released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return result;
        }
    }
}
