using System.Buffers;
using System.Globalization;
using System.Text;
using Sluice.Core.Messages;
using Sluice.Smtp;

namespace Sluice.Delivery.Smtp;

internal sealed partial class SmtpClientConnection
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Sends one message and returns an outcome for every recipient. Outcomes that the peer did
    /// not give (a dropped connection, a timeout) are transient, so the message is retried.
    /// </summary>
    public async Task<IReadOnlyList<RecipientOutcome>> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var refusal = CheckPeerCanTake(message);
        if (refusal is not null)
        {
            return [.. message.Recipients.Select(r => new RecipientOutcome(r, refusal))];
        }

        var outcomes = new DeliveryOutcome?[message.Recipients.Count];
        try
        {
            await RunTransactionAsync(message, outcomes, cancellationToken).ConfigureAwait(false);
            MessagesSent++;
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            IsUsable = false;
            var lost = TransportFailure(ex, "Transaction with");
            for (var i = 0; i < outcomes.Length; i++)
            {
                outcomes[i] ??= lost;
            }
        }

        LastUsed = _time.GetUtcNow();
        var result = new RecipientOutcome[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            result[i] = new RecipientOutcome(message.Recipients[i], outcomes[i]!);
        }

        return result;
    }

    /// <summary>Refusals we can decide before sending a byte (RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8).</summary>
    private DeliveryOutcome? CheckPeerCanTake(OutboundMessage message)
    {
        if (Capabilities.MaxSize is { } max && message.Size > max)
        {
            return DeliveryOutcome.Permanent(552, "5.3.4", $"Message of {message.Size} octets is larger than {Remote} accepts ({max})");
        }

        if (message.Envelope.SmtpUtf8 && !Capabilities.SmtpUtf8)
        {
            // No downgrade of internationalised addresses (RFC 6530 leaves it undefined): bounce.
            return DeliveryOutcome.Permanent(553, "5.6.7", "The destination does not support SMTPUTF8, which this message needs");
        }

        if (string.Equals(message.Envelope.BodyType, "8BITMIME", StringComparison.OrdinalIgnoreCase) && !Capabilities.EightBitMime)
        {
            // RFC 6152 §3: 8-bit content must not go to a server without 8BITMIME; we do not re-encode stored bytes.
            return DeliveryOutcome.Permanent(554, "5.6.3", "The destination does not support 8BITMIME and the message needs it");
        }

        return null;
    }

    private async Task RunTransactionAsync(OutboundMessage message, DeliveryOutcome?[] outcomes, CancellationToken cancellationToken)
    {
        var envelope = message.Envelope;
        var pipelining = Capabilities.Pipelining && _options.UsePipelining;
        var chunking = Capabilities.Chunking && _options.UseChunking;
        _phase = SessionPhase.Envelope;

        await WriteLineAsync(MailCommand(message)).ConfigureAwait(false);
        if (!pipelining)
        {
            await FlushAsync().ConfigureAwait(false);
            var mail = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
            if (!mail.Reply.IsPositive)
            {
                FailAll(outcomes, mail.Reply);
                await ResetAsync().ConfigureAwait(false);
                return;
            }
        }

        for (var i = 0; i < envelope.Recipients.Count; i++)
        {
            await WriteLineAsync(RcptCommand(envelope.Recipients[i])).ConfigureAwait(false);
            if (!pipelining)
            {
                await FlushAsync().ConfigureAwait(false);
                outcomes[i] = RecipientReply((await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false)).Reply);
            }
        }

        // RFC 2920 §3.1: DATA may end a pipelined group. BDAT waits until we know who was accepted:
        // RFC 3030 §2 sends the chunks "after all MAIL and RCPT responses are collected and
        // processed", and servers built on that stop broke when clients pipelined BDAT with the
        // envelope (ietf-smtp, 2003: Exchange 2000), so the round trip it would save is not taken.
        var dataPipelined = pipelining && !chunking;
        if (dataPipelined)
        {
            await WriteLineAsync("DATA").ConfigureAwait(false);
        }

        if (pipelining)
        {
            await FlushAsync().ConfigureAwait(false);
            var mail = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
            for (var i = 0; i < envelope.Recipients.Count; i++)
            {
                var rcpt = (await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false)).Reply;
                outcomes[i] = mail.Reply.IsPositive ? RecipientReply(rcpt) : DeliveryOutcome.FromReply(mail.Reply);
            }

            if (!mail.Reply.IsPositive)
            {
                if (dataPipelined)
                {
                    await AbandonPipelinedDataAsync().ConfigureAwait(false);
                }

                await ResetAsync().ConfigureAwait(false);
                return;
            }
        }

        if (!AnyPending(outcomes))
        {
            if (dataPipelined)
            {
                await AbandonPipelinedDataAsync().ConfigureAwait(false);
            }

            await ResetAsync().ConfigureAwait(false);
            return;
        }

        SmtpReply final;
        _phase = SessionPhase.Data;
        if (chunking)
        {
            final = await SendBdatAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (!dataPipelined)
            {
                await WriteLineAsync("DATA").ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
            }

            var go = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
            if (go.Reply.Code != 354)
            {
                FailAccepted(outcomes, go.Reply, SessionPhase.Data);
                await ResetAsync().ConfigureAwait(false);
                return;
            }

            final = await SendDataAsync(message, cancellationToken).ConfigureAwait(false);
        }

        var outcome = DeliveryOutcome.FromReply(final, SessionPhase.FinalDot);
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= outcome;
        }

        if (!final.IsPositive)
        {
            await ResetAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Whether any recipient is still pending (accepted, its outcome to come from the end of the message); a loop, not LINQ, on the per-message path.</summary>
    private static bool AnyPending(DeliveryOutcome?[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (outcome is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A recipient reply: null (still pending, i.e. accepted) or its failure.</summary>
    private static DeliveryOutcome? RecipientReply(SmtpReply reply) => reply.IsPositive ? null : DeliveryOutcome.FromReply(reply);

    private static void FailAll(DeliveryOutcome?[] outcomes, SmtpReply reply)
    {
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = DeliveryOutcome.FromReply(reply);
        }
    }

    private static void FailAccepted(DeliveryOutcome?[] outcomes, SmtpReply reply, SessionPhase phase)
    {
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= DeliveryOutcome.FromReply(reply, phase);
        }
    }

    /// <summary>Every recipient was refused but a pipelined DATA may have got 354: end it with an empty message (RFC 2920 §3.1).</summary>
    private async Task AbandonPipelinedDataAsync()
    {
        var data = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
        if (data.Reply.Code == 354)
        {
            await WriteLineAsync(".").ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
            await ReadReplyAsync(_options.FinalDotTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>RSET after a refusal keeps the connection for the next message; if even that fails, it is discarded.</summary>
    private async Task ResetAsync()
    {
        await WriteLineAsync("RSET").ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        var reset = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
        if (reset.Reply.Code != 250)
        {
            IsUsable = false;
        }
    }

    private async Task<SmtpReply> SendDataAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        await using var content = await message.OpenContent(cancellationToken).ConfigureAwait(false);
        var input = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var stuffer = new DotStuffer();
            var unsent = false;
            int read;
            while ((read = await content.ReadAsync(input.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                // A chunk goes once the next one is read: the last goes with the final dot, so a
                // message of one chunk is one write (the body and its end, not two segments).
                if (unsent)
                {
                    await FlushDataAsync().ConfigureAwait(false);
                }

                var span = _writer.GetSpan(DotStuffer.MaxOutput(read));
                _writer.Advance(stuffer.Encode(input.AsSpan(0, read), span));
                unsent = true;
            }

            var end = _writer.GetSpan(5);
            _writer.Advance(stuffer.Complete(end));
            await FlushDataAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }

        _phase = SessionPhase.FinalDot;
        return (await ReadReplyAsync(_options.FinalDotTimeout).ConfigureAwait(false)).Reply;
    }

    /// <summary>RFC 3030: the exact bytes in one BDAT … LAST chunk; no dot-stuffing.</summary>
    private async Task<SmtpReply> SendBdatAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        await using var content = await message.OpenContent(cancellationToken).ConfigureAwait(false);
        var length = content.CanSeek ? content.Length - content.Position : message.Size;
        await WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"BDAT {length} LAST")).ConfigureAwait(false);
        long sent = 0;
        while (sent < length)
        {
            var memory = _writer.GetMemory(ChunkSize);
            var read = await content.ReadAsync(memory[..(int)Math.Min(memory.Length, length - sent)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The stored message is shorter than its recorded size.");
            }

            _writer.Advance(read);
            sent += read;
            await FlushDataAsync().ConfigureAwait(false);
        }

        await FlushDataAsync().ConfigureAwait(false);
        _phase = SessionPhase.FinalDot;
        return (await ReadReplyAsync(_options.FinalDotTimeout).ConfigureAwait(false)).Reply;
    }

    private async ValueTask FlushDataAsync()
    {
        _timeout.CancelAfter(_options.DataBlockTimeout);
        await _writer.FlushAsync(_timeout.Token).ConfigureAwait(false);
        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private string MailCommand(OutboundMessage message)
    {
        var envelope = message.Envelope;
        var line = new StringBuilder("MAIL FROM:<").Append(envelope.Sender).Append('>');
        if (Capabilities.MaxSize is not null || Capabilities.Esmtp)
        {
            line.Append(CultureInfo.InvariantCulture, $" SIZE={message.Size}");
        }

        if (Capabilities.EightBitMime && envelope.BodyType is { } body)
        {
            line.Append(" BODY=").Append(body);
        }

        if (envelope.SmtpUtf8 && Capabilities.SmtpUtf8)
        {
            line.Append(" SMTPUTF8");
        }

        if (Capabilities.Dsn)
        {
            if (envelope.Ret is { } ret)
            {
                line.Append(" RET=").Append(ret);
            }

            if (envelope.EnvelopeId is { } envid)
            {
                line.Append(" ENVID=").Append(envid);
            }
        }

        return line.ToString();
    }

    private string RcptCommand(EnvelopeRecipient recipient)
    {
        var line = new StringBuilder("RCPT TO:<").Append(recipient.Address).Append('>');
        if (Capabilities.Dsn)
        {
            if (recipient.Notify is { } notify)
            {
                line.Append(" NOTIFY=").Append(notify);
            }

            if (recipient.OriginalRecipient is { } orcpt)
            {
                line.Append(" ORCPT=").Append(orcpt);
            }
        }

        return line.ToString();
    }
}
