using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Server.Tests;

public sealed class ShutdownDialogTests
{
    [Fact]
    public async Task Stop_IdleSession_Gets421AndIsClosed()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();

        await node.Server.StopAsync(CancellationToken.None);

        Assert.Equal("421 4.3.2 Service shutting down, try again later", await dialog.ReadReplyAsync());
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Stop_DuringData_FinishesMessageThenCloses()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.BeginDataAsync();
        await dialog.SendAsync("Subject: in flight\r\n\r\nfirst half\r\n");

        var stopping = node.Server.StopAsync(CancellationToken.None);
        await dialog.SendAsync("second half\r\n.\r\n");

        var id = DataDialogTests.QueuedId(await dialog.ReadReplyAsync());
        Assert.Equal("421 4.3.2 Service shutting down, try again later", await dialog.ReadReplyAsync());
        await stopping;
        Assert.NotNull(await node.Spool.GetAsync(new MessageId(id), CancellationToken.None));
    }

    [Fact]
    public async Task Stop_NewConnections_AreNotAccepted()
    {
        await using var node = await TestNode.StartAsync();
        var endpoint = node.Endpoint;

        await node.Server.StopAsync(CancellationToken.None);

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => Testing.SmtpDialog.ConnectAsync(endpoint));
    }

    [Theory]
    [InlineData(EnqueueResult.StorageFull, "452 4.3.1 Insufficient system storage, try again later")]
    [InlineData(EnqueueResult.StorageFailed, "451 4.3.0 Local error in processing, try again later")]
    public async Task Data_WhenQueueCannotStore_IsTransientFailure(EnqueueResult result, string expected)
    {
        await using var node = await TestNode.StartAsync(queue: new FailingQueue(result));
        await using var dialog = await node.HelloAsync();
        await dialog.BeginDataAsync();

        Assert.Equal(expected, await dialog.CommandAsync("Subject: x\r\n\r\nx\r\n."));
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    private sealed class FailingQueue(EnqueueResult result) : IMessageQueue
    {
        public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
            => ValueTask.FromResult(result);

        public ValueTask<IReadOnlyList<QueueEntry>> LeaseAsync(int max, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> HoldAsync(MessageId id, string holdKey, Envelope? remaining, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<long> ReleaseHeldAsync(string holdKey, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> AckAsync(MessageId id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> DeferAsync(MessageId id, DateTimeOffset until, string? lastReply, Envelope? remaining, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> DeadLetterAsync(MessageId id, string? lastReply, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<Stream?> OpenContentAsync(MessageId id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<QueueEntry?> GetAsync(MessageId id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<QueueSummary> GetSummaryAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> IsWritableAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);
    }
}
