using System.Diagnostics;
using System.Net;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Core.Intake;

/// <summary>
/// The one intake stage, shared by SMTP and HTTP: acceptance policy per recipient, the trace header,
/// the message written straight into the buffer the spool takes, the durable store, and a typed
/// result. The SMTP session drives it step by step (RCPT, then the data it received); the API hands
/// it a composed or raw message whole through <see cref="SubmitAsync"/>.
/// </summary>
public sealed class IntakeStage : IMessageIntake
{
    private readonly IMessageStore _store;
    private readonly IReceptionLog? _log;
    private readonly IMessageSigner? _signer;
    private readonly Telemetry.SluiceMetrics? _metrics;
    private readonly IAlignmentCheck? _alignment;

    /// <param name="signer">Signs each message before it is stored (DKIM); null: none.</param>
    /// <param name="metrics">Counts what is accepted, by protocol and sending domain; null: not counted.</param>
    /// <param name="alignment">Judges DKIM/SPF/DMARC alignment of each stored message (a warning); null: not judged.</param>
    public IntakeStage(IMessageStore store, IntakePolicy policy, IReceptionLog? log, string hostname, string spillDirectory, IMessageSigner? signer = null, Telemetry.SluiceMetrics? metrics = null, IAlignmentCheck? alignment = null)
    {
        _alignment = alignment;
        _metrics = metrics;
        _signer = signer;
        _store = store;
        Policy = policy;
        _log = log;
        Hostname = hostname;
        SpillDirectory = spillDirectory;
    }

    public IntakePolicy Policy { get; }

    /// <summary>The name this node gives itself in trace headers and Message-IDs.</summary>
    public string Hostname { get; }

    /// <summary>Where message buffers (and the API's spooled request bodies) spill to disk.</summary>
    public string SpillDirectory { get; }

    public bool HasRoomFor(long bytes) => _store.HasRoomFor(bytes);

    public RecipientRefusal? CheckRecipient(string sender, EnvelopeRecipient recipient, bool mayRelay, bool sourceRouted)
    {
        var refusal = Policy.Check(sender, recipient, mayRelay, sourceRouted);
        if (refusal is { Cause: RefusalCause.Suppressed })
        {
            _log?.Suppressed(sender, recipient.Address, null, refusal.Reason);
        }

        return refusal;
    }

    public ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
        => StoreAsync(envelope, id, receivedAt, content, null, cancellationToken);

    public ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, IDurableNotice? notice, CancellationToken cancellationToken)
        => StoreAsync(envelope, id, receivedAt, content, [], "smtp", notice, cancellationToken);

    /// <summary>
    /// An API submission: each recipient through the policy (refused ones are reported, the others
    /// kept), room in the spool for about <see cref="IMessageContent.SizeHint"/>, then the trace
    /// header and <paramref name="content"/> written into a fresh buffer, the size checked against
    /// <paramref name="maxSize"/>, and the message stored for the kept recipients.
    /// </summary>
    public async ValueTask<IntakeResult> SubmitAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, IPAddress? client, IMessageContent content, bool strict, long maxSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        List<RecipientRefusal>? refused = null;
        var kept = new List<EnvelopeRecipient>(envelope.Recipients.Count);
        foreach (var recipient in envelope.Recipients)
        {
            if (await Policy.CheckAsync(envelope.Sender, recipient, strict, cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                (refused ??= []).Add(refusal);
                if (refusal.Cause == RefusalCause.Suppressed)
                {
                    _log?.Suppressed(envelope.Sender, recipient.Address, id, refusal.Reason);
                }
            }
            else
            {
                kept.Add(recipient);
            }
        }

        IReadOnlyList<RecipientRefusal> refusals = refused is null ? [] : refused;
        if (kept.Count == 0)
        {
            return new IntakeResult(IntakeOutcome.Rejected, id, 0, 0, refusals);
        }

        // As SMTP asks at MAIL with the declared size: a spool short of space refuses before the message is built.
        if (!_store.HasRoomFor(content.SizeHint))
        {
            return new IntakeResult(IntakeOutcome.StorageFull, id, 0, 0, refusals);
        }

        using var buffer = new MessageBuffer(SpillDirectory, (int)Math.Min(content.SizeHint + 512, MessageBuffer.BlockSize));
        TraceHeader.Write(buffer, envelope.HeloName ?? "api", client, Hostname, "HTTP", id, kept.Count == 1 ? kept[0].Address : null, receivedAt);
        await content.WriteToAsync(new MessageBufferWriteStream(buffer), cancellationToken).ConfigureAwait(false);
        if (buffer.Length > maxSize)
        {
            return new IntakeResult(IntakeOutcome.TooLarge, id, buffer.Length, 0, refusals);
        }

        var queued = refused is null ? envelope : envelope with { Recipients = kept };
        return await StoreAsync(queued, id, receivedAt, buffer, refusals, "http", null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, IReadOnlyList<RecipientRefusal> refused, string protocol, IDurableNotice? notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        // Read once, for the signer and the alignment check, and before the store takes the buffer's blocks (the hot body cache keeps them).
        var from = _signer is null && _alignment is null ? null : HeaderField.Read(content, "From"u8);
        using var signed = Signed(content, envelope, from);
        content = signed ?? content;
        var size = content.Length;
        var subject = _log is null ? null : HeaderField.Read(content, "Subject"u8);
        var result = await _store.EnqueueAsync(envelope, id, receivedAt, content, notice, cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Stored)
        {
            _log?.Received(envelope, id, receivedAt, size, subject);
            _alignment?.Observe(envelope, id, from, signed is not null);
            if (_metrics is not null)
            {
                var tags = new TagList { { "protocol", protocol }, { "sender_domain", Telemetry.SenderDomains.Of(envelope.Sender) } };
                _metrics.MessagesAccepted.Add(1, tags);
                _metrics.BytesAccepted.Add(size, tags);
            }
        }

        return new IntakeResult(IntakeResult.From(result, refused.Count > 0), id, size, result == EnqueueResult.Stored ? envelope.Recipients.Count : 0, refused);
    }

    /// <summary>The message with its signature fields first, in a buffer of its own; null when it is not signed.</summary>
    private MessageBuffer? Signed(MessageBuffer content, Envelope envelope, string? from)
    {
        if (_signer?.Sign(content, envelope, from) is not { } fields)
        {
            return null;
        }

        var signed = new MessageBuffer(SpillDirectory, (int)Math.Min(content.Length + fields.Length, MessageBuffer.BlockSize));
        signed.Write(fields);
        content.CopyTo(new MessageBufferWriteStream(signed));
        return signed;
    }
}
