using System.Buffers;
using System.Globalization;
using System.Text;
using Sluice.Core.Messages;
using Sluice.Core.Intake;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

internal sealed partial class SmtpSession
{
    private DataDecoder _decoder;
    private LineChecker _lines;
    private MessageId _messageId;
    private DateTimeOffset _receivedAt;
    private long _contentBytes;
    private long _dataStarted;
    private long _bdatRemaining;
    private bool _bdatLast;
    private bool _bdatActive;
    private bool _bdatRefused;
    private bool _tooBig;
    private SmtpReply? _pendingRefusal;
    private DurableReply? _durableReply;

    private SessionStep Data(ReadOnlySpan<byte> args)
    {
        if (!args.IsEmpty)
        {
            Reply(SmtpReplies.SyntaxError);
            return SessionStep.NeedMore;
        }

        if (_bdatActive)
        {
            Reply(SmtpReplies.BdatMixedWithData);
            return SessionStep.NeedMore;
        }

        var refusal = TransactionRefusal();
        if (refusal is not null)
        {
            Reply(refusal);
            return SessionStep.NeedMore;
        }

        BeginContent();
        _decoder = new DataDecoder();
        _mode = SessionMode.Data;
        Reply(SmtpReplies.StartData);
        return SessionStep.NeedMore;
    }

    private SessionStep Bdat(ReadOnlySpan<byte> args)
    {
        // RFC 3030 §2: BDAT size [LAST]. Without a valid size we cannot find the next command: hang up.
        var space = args.IndexOf((byte)' ');
        var sizeText = space < 0 ? args : args[..space];
        var rest = space < 0 ? [] : args[(space + 1)..];
        if (!long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || (!rest.IsEmpty && !Ascii.EqualsIgnoreCase(rest, "LAST"u8)))
        {
            Reply(SmtpReplies.BadBdat);
            return SessionStep.Close;
        }

        if (!_bdatActive)
        {
            // The chunk must be read even when refused (RFC 3030 §3); its bytes are then discarded.
            var refusal = TransactionRefusal();
            _bdatRefused = refusal is not null;
            _pendingRefusal = refusal;
            BeginContent();
            _bdatActive = true;
        }

        _bdatRemaining = size;
        _bdatLast = !rest.IsEmpty;
        if (size == 0)
        {
            // An empty chunk (typically "BDAT 0 LAST") has no bytes to wait for.
            return FinishChunk();
        }

        _mode = SessionMode.Bdat;
        return SessionStep.NeedMore;
    }

    private SmtpReply? TransactionRefusal()
        => _helo is null ? SmtpReplies.NeedHelo
            : _mailFrom is null ? SmtpReplies.NeedMail
            : _recipients.Count == 0 ? SmtpReplies.NeedRcpt
            : null;

    private void BeginContent()
    {
        _message.Reset();
        _messageId = _context.Ids.Next();
        _receivedAt = _context.Time.GetUtcNow();
        _lines = new LineChecker(_context.Limits.MaxTextLineLength);
        _contentBytes = 0;
        _tooBig = false;
        _dataStarted = _context.Time.GetTimestamp();
        if (!_bdatRefused)
        {
            TraceHeader.Write(_message, _helo!, _client, _context.Hostname, Protocol(), _messageId, _recipients.Count == 1 ? _recipients[0].Address : null, _receivedAt);
        }
    }

    /// <summary>Decodes DATA from the buffer; true once the end marker was consumed.</summary>
    private bool ProcessData(ref ReadOnlySequence<byte> buffer)
    {
        var maxInput = Scratch.Length - 1;
        long before = 0;
        foreach (var segment in buffer)
        {
            var input = segment.Span;
            var offset = 0;
            while (offset < input.Length)
            {
                var chunk = input.Slice(offset, Math.Min(maxInput, input.Length - offset));
                var status = _decoder.Decode(chunk, Scratch, out var consumed, out var written);
                Accept(Scratch.AsSpan(0, written));
                offset += consumed;
                if (status == DataDecodeStatus.Complete)
                {
                    buffer = buffer.Slice(before + offset);
                    _mode = SessionMode.Command;
                    return true;
                }
            }

            before += input.Length;
        }

        buffer = buffer.Slice(buffer.End);
        return false;
    }

    /// <summary>Takes BDAT chunk bytes from the buffer; true once the chunk is complete.</summary>
    private bool ProcessBdat(ref ReadOnlySequence<byte> buffer)
    {
        var take = (long)Math.Min(_bdatRemaining, buffer.Length);
        foreach (var segment in buffer.Slice(0, take))
        {
            Accept(segment.Span);
        }

        buffer = buffer.Slice(take);
        _bdatRemaining -= take;
        if (_bdatRemaining > 0)
        {
            return false;
        }

        _mode = SessionMode.Command;
        return true;
    }

    private void Accept(ReadOnlySpan<byte> content)
    {
        _contentBytes += content.Length;
        if (_bdatRefused)
        {
            return;
        }

        _lines.Observe(content);
        if (_contentBytes > _context.Limits.MaxMessageSize)
        {
            // Keep reading to the end so the session stays in sync, but hold nothing more.
            if (!_tooBig)
            {
                _tooBig = true;
                _message.Reset();
            }

            return;
        }

        _message.Write(content);
    }

    /// <summary>End of DATA (or BDAT LAST): commit, refuse (and go on reading commands), or drop the connection.</summary>
    private SessionStep FinishMessage()
    {
        var refusal = ContentRefusal();
        if (refusal is not null)
        {
            RefuseMessage(refusal);
            return SessionStep.NeedMore;
        }

        var verdict = _context.Behavior?.OnMessage() ?? MessageVerdict.Accept;
        switch (verdict.Kind)
        {
            case MessageVerdictKind.Refuse:
                RefuseMessage(verdict.Reply!);
                return SessionStep.NeedMore;
            case MessageVerdictKind.Drop:
                ResetTransaction();
                return SessionStep.Drop;
            default:
                return SessionStep.CommitMessage;
        }
    }

    /// <summary>End of a BDAT chunk: acknowledge it, or finish the message on LAST.</summary>
    private SessionStep FinishChunk()
    {
        if (!_bdatLast)
        {
            if (_bdatRefused)
            {
                Reply(_pendingRefusal!);
            }
            else
            {
                Reply(new SmtpReply(250, new EnhancedStatusCode(2, 0, 0), string.Create(CultureInfo.InvariantCulture, $"{_contentBytes} octets received")));
            }

            return SessionStep.NeedMore;
        }

        if (_bdatRefused)
        {
            Reply(_pendingRefusal!);
            ResetTransaction();
            return SessionStep.NeedMore;
        }

        return FinishMessage();
    }

    private SmtpReply? ContentRefusal()
    {
        _lines.Complete();
        return _tooBig ? SmtpReplies.MessageTooBig
            : _lines.SawBareLineEnding ? SmtpReplies.BareLineEndingInMessage
            : _lines.SawLongLine ? SmtpReplies.LongLineInMessage
            : null;
    }

    private void RefuseMessage(SmtpReply reply)
    {
        _context.Metrics.MessagesRejected.Add(1, new KeyValuePair<string, object?>("reason", reply.Code == 552 ? "size" : "content"));
        ServerLog.MessageRefused(_context.Logger, _client, reply.Text);
        Reply(reply);
        ResetTransaction();
    }

    private async Task CommitMessageAsync()
    {
        var envelope = new Envelope(
            _mailFrom!.Address,
            [.. _recipients],
            _mailFrom.Find("ENVID", out _),
            _mailFrom.Find("RET", out _)?.ToUpperInvariant(),
            _mailFrom.Find("BODY", out _)?.ToUpperInvariant(),
            _mailFrom.Find("SMTPUTF8", out var utf8) is null && utf8,
            _client.ToString(),
            _helo,
            _authenticatedUser);

        var accepted = new SmtpReply(250, new EnhancedStatusCode(2, 0, 0), "OK: queued as " + _messageId.Value);
        var early = ArmDurableReply(accepted);
        var result = await _context.Queue.StoreAsync(envelope, _messageId, _receivedAt, _message, early, CancellationToken.None).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case IntakeOutcome.Stored:
                ServerLog.Accepted(_context.Logger, _messageId.Value, _client, result.Size, _recipients.Count);
                if (early is null)
                {
                    Reply(accepted);
                }
                else
                {
                    // Sent by the spool's writer thread at the commit, all or part (the rest goes from here).
                    if (!early.Unsent.IsEmpty)
                    {
                        _writer.Write(early.Unsent);
                        _pendingFlush = true;
                    }

                    Replied(accepted);
                }

                break;
            case IntakeOutcome.StorageFull:
                Reply(SmtpReplies.StorageFull);
                break;
            case IntakeOutcome.ShuttingDown:
                Reply(SmtpReplies.ShuttingDown);
                break;
            case IntakeOutcome.Unavailable:
                // The cluster's brokers cannot be reached (ADR 0033): nothing was stored, the client tries again.
                Reply(SmtpReplies.QueueUnavailable);
                break;
            default:
                Reply(SmtpReplies.StorageFailed);
                break;
        }

        if (!result.IsStored)
        {
            _context.Metrics.MessagesRejected.Add(1, new KeyValuePair<string, object?>("reason", "storage"));
        }

        ResetTransaction();
    }

    /// <summary>
    /// The 250 may leave from the spool's writer thread the moment the message is durable, when it
    /// cannot overtake anything: a plain socket (TLS frames are the stream's to write), every earlier
    /// reply already sent (a pipelined batch's replies wait in the writer), and no scripted behaviour
    /// (a test server's latency applies to every reply). Null: the session replies itself.
    /// </summary>
    private DurableReply? ArmDurableReply(SmtpReply reply)
    {
        if (_socket is null || _tlsActive || _pendingFlush || _context.Behavior is not null || !NonBlockingSend.Available)
        {
            return null;
        }

        _durableReply ??= new DurableReply(_socket);
        _durableReply.Arm(reply);
        return _durableReply;
    }

    private bool DataTooSlow()
    {
        var elapsed = _context.Time.GetElapsedTime(_dataStarted);
        return elapsed > _context.Limits.DataRateGracePeriod
            && _contentBytes / elapsed.TotalSeconds < _context.Limits.MinDataRate;
    }

    private void ResetDataState()
    {
        _bdatActive = false;
        _bdatRefused = false;
        _bdatRemaining = 0;
        _bdatLast = false;
        _pendingRefusal = null;
        _tooBig = false;
        _contentBytes = 0;
        if (_mode is SessionMode.Data or SessionMode.Bdat)
        {
            _mode = SessionMode.Command;
        }
    }

    /// <summary>The RFC 3848 "with" keyword of the trace header (RFC 6531 §4.3 adds UTF8 for SMTPUTF8 transactions).</summary>
    private string Protocol()
    {
        var utf8 = _esmtp && _mailFrom!.Find("SMTPUTF8", out var present) is null && present;
        return (utf8, _esmtp, _tlsActive, _authenticatedUser is not null) switch
        {
            (_, false, false, _) => "SMTP",
            (_, false, true, _) => "SMTPS",
            (false, true, false, false) => "ESMTP",
            (false, true, false, true) => "ESMTPA",
            (false, true, true, false) => "ESMTPS",
            (false, true, true, true) => "ESMTPSA",
            (true, true, false, false) => "UTF8ESMTP",
            (true, true, false, true) => "UTF8ESMTPA",
            (true, true, true, false) => "UTF8ESMTPS",
            (true, true, true, true) => "UTF8ESMTPSA",
        };
    }
}
