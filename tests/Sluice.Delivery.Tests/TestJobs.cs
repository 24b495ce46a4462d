using Sluice.Core.Messages;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Tests;

/// <summary>Ready-queue jobs for tests: one recipient, a three-byte body.</summary>
internal static class TestJobs
{
    public static DeliveryJob For(string recipient, string sender = "s@src.test")
    {
        var envelope = new Envelope(sender, [new EnvelopeRecipient(recipient)]);
        return new DeliveryJob(new MessageId("01M8N8P3DT5A54D9P6VJ78YKGT"), recipient[(recipient.IndexOf('@', StringComparison.Ordinal) + 1)..], new OutboundMessage(envelope, 3, _ => ValueTask.FromResult<Stream>(new MemoryStream("x\r\n"u8.ToArray()))));
    }
}
