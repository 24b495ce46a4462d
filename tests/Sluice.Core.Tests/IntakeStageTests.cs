using System.Net;
using Sluice.Core.Intake;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.State;

namespace Sluice.Core.Tests;

/// <summary>The intake stage's API path against a store that records what it was given.</summary>
public sealed class IntakeStageTests : IDisposable
{
    private readonly string _spill = Directory.CreateTempSubdirectory("sluice-intake-").FullName;
    private readonly RecordingStore _store = new();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task SubmitAsync_SpoolShortOfSpace_IsStorageFullBeforeTheMessageIsWritten()
    {
        _store.Room = false;
        var content = new CountingContent();

        var result = await Stage().SubmitAsync(Envelope("a@dest.example"), Id(), DateTimeOffset.UnixEpoch, IPAddress.Loopback, content, strict: false, maxSize: 1_000_000, CancellationToken.None);

        Assert.Equal(IntakeOutcome.StorageFull, result.Outcome);
        Assert.Equal(0, content.Writes);
        Assert.Null(_store.Stored);
    }

    [Fact]
    public async Task SubmitAsync_OneRecipientSuppressed_StoresTheOthersAndReportsIt()
    {
        var suppressions = new SuppressionList();
        suppressions.Add([new Suppression("gone@dest.example", null, SuppressionReason.Bounce, DateTimeOffset.UnixEpoch)]);

        var result = await Stage(suppressions).SubmitAsync(Envelope("gone@dest.example", "kept@dest.example"), Id(), DateTimeOffset.UnixEpoch, IPAddress.Loopback, new CountingContent(), strict: false, maxSize: 1_000_000, CancellationToken.None);

        Assert.Equal(IntakeOutcome.PartlyRejected, result.Outcome);
        Assert.Equal(1, result.Queued);
        var refusal = Assert.Single(result.Refused);
        Assert.Equal(("gone@dest.example", RefusalCause.Suppressed, "5.7.1"), (refusal.Address, refusal.Cause, refusal.Code));
        Assert.Equal(["kept@dest.example"], _store.Stored!.Recipients.Select(r => r.Address));
        Assert.StartsWith("Received: from api ([127.0.0.1])\r\n\tby node.test (Sluice) with HTTP id ", _store.Body, StringComparison.Ordinal);
        Assert.Contains("\tfor <kept@dest.example>;", _store.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_OverTheSizeLimit_IsTooLargeAndStoresNothing()
    {
        var result = await Stage().SubmitAsync(Envelope("a@dest.example"), Id(), DateTimeOffset.UnixEpoch, null, new CountingContent(), strict: false, maxSize: 100, CancellationToken.None);

        Assert.Equal(IntakeOutcome.TooLarge, result.Outcome);
        Assert.True(result.Size > 100);
        Assert.Null(_store.Stored);
    }

    private static Envelope Envelope(params string[] recipients) => new("s@src.example", [.. recipients.Select(r => new EnvelopeRecipient(r))], HeloName: "api");

    private static MessageId Id() => new MessageIdGenerator(TimeProvider.System).Next();

    private IntakeStage Stage(SuppressionList? suppressions = null)
        => new(_store, new IntakePolicy([], suppressions, null, TimeProvider.System), null, "node.test", _spill);

    private sealed class RecordingStore : IMessageStore
    {
        public bool Room { get; set; } = true;

        public Envelope? Stored { get; private set; }

        public string Body { get; private set; } = string.Empty;

        public bool HasRoomFor(long bytes) => Room;

        public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
        {
            Stored = envelope;
            Body = System.Text.Encoding.ASCII.GetString(content.ToArray());
            return ValueTask.FromResult(EnqueueResult.Stored);
        }
    }

    private sealed class CountingContent : IMessageContent
    {
        public int Writes { get; private set; }

        public long SizeHint => 200;

        public ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
        {
            Writes++;
            destination.Write("Subject: x\r\n\r\nbody\r\n"u8);
            return ValueTask.CompletedTask;
        }
    }
}
