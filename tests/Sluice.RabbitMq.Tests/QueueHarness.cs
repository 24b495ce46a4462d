using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Testing;

namespace Sluice.RabbitMq.Tests;

/// <summary>The cluster queues a test starts (all stopped at its end), and what every queue test does with them: enqueue, lease one, read its bytes.</summary>
internal sealed class QueueHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<RabbitMqQueue> _queues = [];

    public RabbitMqQueue Start(RabbitMqOptions options)
    {
        var queue = RabbitMqQueue.Start(options, TimeProvider.System, NullLogger.Instance);
        _queues.Add(queue);
        return queue;
    }

    /// <summary>Stops one queue now, as a node that goes away: what it held goes back to the brokers.</summary>
    public async Task StopAsync(RabbitMqQueue queue)
    {
        _queues.Remove(queue);
        await queue.DisposeAsync();
    }

    public async Task<EnqueueResult> EnqueueAsync(RabbitMqQueue queue, MessageId id, byte[] bytes, params string[] recipients)
    {
        using var content = new MessageBuffer(_dir.Path);
        content.Write(bytes);
        var envelope = new Envelope("sender@src.example", [.. recipients.Select(r => new EnvelopeRecipient(r))]);
        return await queue.EnqueueAsync(envelope, id, DateTimeOffset.UtcNow, content, CancellationToken.None);
    }

    public static async Task<QueueEntry> LeaseOneAsync(RabbitMqQueue queue, TimeSpan deadline)
        => (await Poll.ForAsync(
            async () =>
            {
                await queue.WaitForWorkAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
                return await queue.LeaseAsync(1, CancellationToken.None);
            },
            leased => leased.Count == 1,
            deadline,
            "a leased message"))[0];

    public static async Task<byte[]> ReadAsync(RabbitMqQueue queue, MessageId id)
    {
        await using var stream = await queue.OpenContentAsync(id, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        _dir.Dispose();
    }
}
