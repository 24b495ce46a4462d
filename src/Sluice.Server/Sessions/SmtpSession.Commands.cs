using System.Buffers;
using Sluice.Core.Messages;
using Sluice.Server.Configuration;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

internal sealed partial class SmtpSession
{
    private string? _helo;
    private bool _esmtp;
    private bool _tlsActive;
    private string? _authenticatedUser;
    private SmtpPathCommand? _mailFrom;
    private readonly List<EnvelopeRecipient> _recipients = [];

    /// <summary>
    /// Consumes as much of <paramref name="buffer"/> as can be handled without waiting, writing
    /// replies as it goes. Returns when it needs more input or the loop must act.
    /// </summary>
    private SessionStep Process(ref ReadOnlySequence<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_errors > _context.Limits.MaxErrors)
            {
                Reply(SmtpReplies.TooManyErrors);
                ServerLog.SessionClosed(_context.Logger, _client, "too many errors");
                return SessionStep.Close;
            }

            switch (_mode)
            {
                case SessionMode.Data:
                {
                    if (!ProcessData(ref buffer))
                    {
                        return SessionStep.NeedMore;
                    }

                    var finished = FinishMessage();
                    if (finished != SessionStep.NeedMore)
                    {
                        return finished;
                    }

                    continue;
                }

                case SessionMode.Bdat:
                {
                    if (!ProcessBdat(ref buffer))
                    {
                        return SessionStep.NeedMore;
                    }

                    var finished = FinishChunk();
                    if (finished != SessionStep.NeedMore)
                    {
                        return finished;
                    }

                    continue;
                }

                case SessionMode.DiscardLine:
                {
                    var skipper = new SequenceReader<byte>(buffer);
                    var found = SmtpLineReader.TrySkipPastLineEnd(ref skipper);
                    buffer = buffer.Slice(skipper.Position);
                    if (!found)
                    {
                        return SessionStep.NeedMore;
                    }

                    _mode = SessionMode.Command;
                    continue;
                }
            }

            var reader = new SequenceReader<byte>(buffer);
            var limit = _mode == SessionMode.Command
                ? _context.Limits.MaxCommandLineLength + _context.Limits.CommandLineTolerance
                : _context.Limits.MaxAuthLineLength;
            var status = SmtpLineReader.TryReadLine(ref reader, limit, out var line);
            switch (status)
            {
                case LineStatus.NeedMore:
                    return SessionStep.NeedMore;
                case LineStatus.TooLong:
                    buffer = buffer.Slice(reader.Position);
                    if (reader.Consumed == 0)
                    {
                        // No line end yet: drop what we have and skip to the next LF.
                        buffer = buffer.Slice(buffer.End);
                        _mode = SessionMode.DiscardLine;
                    }

                    CancelAuthExchange();
                    Reply(SmtpReplies.LineTooLong);
                    continue;
                case LineStatus.BareLineEnding:
                    buffer = buffer.Slice(reader.Position);
                    CancelAuthExchange();
                    Reply(SmtpReplies.BareLineEnding);
                    continue;
            }

            buffer = buffer.Slice(reader.Position);
            var step = HandleLine(line);
            if (step != SessionStep.NeedMore)
            {
                return step;
            }
        }

        return SessionStep.NeedMore;
    }

    private SessionStep HandleLine(in ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            return HandleLine(line.FirstSpan);
        }

        // A line across two buffer segments (rare): copied once. Lines are at most a few KB (the
        // limit was applied while framing).
        var length = (int)line.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = rented.AsSpan(0, length);
            line.CopyTo(span);
            return HandleLine(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private SessionStep HandleLine(ReadOnlySpan<byte> line)
        => _mode == SessionMode.Command ? HandleCommand(line) : HandleAuthResponse(line);

    private SessionStep HandleCommand(ReadOnlySpan<byte> line)
    {
        var verb = SmtpCommandLine.ParseVerb(line, out var args);
        _context.Metrics.Commands.Add(1, new KeyValuePair<string, object?>("verb", VerbName(verb)));
        switch (verb)
        {
            case SmtpVerb.Ehlo:
            case SmtpVerb.Helo:
                return Hello(verb == SmtpVerb.Ehlo, args);
            case SmtpVerb.Mail:
                return Mail(args);
            case SmtpVerb.Rcpt:
                return Rcpt(args);
            case SmtpVerb.Data:
                return Data(args);
            case SmtpVerb.Bdat:
                return _context.Offers("CHUNKING") ? Bdat(args) : Unrecognized();
            case SmtpVerb.Rset:
                ResetTransaction();
                Reply(args.IsEmpty ? SmtpReplies.ResetOk : SmtpReplies.SyntaxError);
                return SessionStep.NeedMore;
            case SmtpVerb.Noop:
                Reply(SmtpReplies.Ok);
                return SessionStep.NeedMore;
            case SmtpVerb.Quit:
                Reply(SmtpReplies.Bye);
                return SessionStep.Close;
            case SmtpVerb.Help:
                Reply(SmtpReplies.Help);
                return SessionStep.NeedMore;
            case SmtpVerb.Vrfy:
                // RFC 5321 §3.5.3: 252 neither confirms nor denies; we never disclose addresses.
                Reply(args.IsEmpty ? SmtpReplies.SyntaxError : SmtpReplies.CannotVrfy);
                return SessionStep.NeedMore;
            case SmtpVerb.Expn:
                Reply(SmtpReplies.NotImplemented);
                return SessionStep.NeedMore;
            case SmtpVerb.StartTls:
                return _context.Offers("STARTTLS") ? StartTls(args) : Unrecognized();
            case SmtpVerb.Auth:
                return _context.Offers("AUTH") ? Auth(args) : Unrecognized();
            case SmtpVerb.Http:
                // A browser or a cross-protocol attack: say nothing, hang up (as chasquid and Postfix do).
                return _helo is null ? SessionStep.Drop : Unrecognized();
            default:
                return Unrecognized();
        }
    }

    private SessionStep Unrecognized()
    {
        Reply(SmtpReplies.CommandUnrecognized);
        return SessionStep.NeedMore;
    }

    private SessionStep Hello(bool extended, ReadOnlySpan<byte> args)
    {
        var isUtf8 = false;
        if (args.IsEmpty || (!AddressSyntax.IsDomain(args, ref isUtf8) && !AddressSyntax.IsAddressLiteral(args)))
        {
            Reply(SmtpReplies.EhloSyntax);
            return SessionStep.NeedMore;
        }

        // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction in progress.
        ResetTransaction();
        _helo = System.Text.Encoding.UTF8.GetString(args);
        _esmtp = extended;
        Reply(extended ? _context.EhloReply(_tlsActive) : _context.HeloReply);
        return SessionStep.NeedMore;
    }

    private SessionStep Mail(ReadOnlySpan<byte> args)
    {
        if (_helo is null)
        {
            Reply(SmtpReplies.NeedHelo);
            return SessionStep.NeedMore;
        }

        if (_mailFrom is not null)
        {
            Reply(SmtpReplies.NestedMail);
            return SessionStep.NeedMore;
        }

        if (_context.Listener.Role == ListenerRole.Submission && _authenticatedUser is null)
        {
            Reply(SmtpReplies.AuthRequired);
            return SessionStep.NeedMore;
        }

        var status = SmtpPathParser.TryParse(args, "FROM:"u8, isReversePath: true, utf8Transaction: false, out var command);
        if (status != PathStatus.Ok)
        {
            Reply(PathError(status, SmtpReplies.SenderSyntax));
            return SessionStep.NeedMore;
        }

        var check = CheckMailParameters(command!);
        if (check is not null)
        {
            Reply(check);
            return SessionStep.NeedMore;
        }

        _mailFrom = command;
        Reply(SmtpReplies.SenderOk);
        return SessionStep.NeedMore;
    }

    private SmtpReply? CheckMailParameters(SmtpPathCommand command)
    {
        long declared = 0;
        foreach (var p in command.Parameters)
        {
            switch (p.Keyword)
            {
                case "SIZE":
                    if (!long.TryParse(p.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
                    {
                        return SmtpReplies.SyntaxError;
                    }

                    // RFC 1870 §6: refuse a declared size over the limit at MAIL time.
                    if (size > _context.Limits.MaxMessageSize)
                    {
                        return SmtpReplies.MessageTooBig;
                    }

                    declared = size;
                    break;
                case "BODY":
                    if (!string.Equals(p.Value, "7BIT", StringComparison.OrdinalIgnoreCase)
                        && !string.Equals(p.Value, "8BITMIME", StringComparison.OrdinalIgnoreCase))
                    {
                        return SmtpReplies.UnsupportedParameter;
                    }

                    break;
                case "SMTPUTF8":
                    if (p.Value is not null)
                    {
                        return SmtpReplies.SyntaxError;
                    }

                    break;
                case "RET":
                    if (!string.Equals(p.Value, "FULL", StringComparison.OrdinalIgnoreCase)
                        && !string.Equals(p.Value, "HDRS", StringComparison.OrdinalIgnoreCase))
                    {
                        return SmtpReplies.SyntaxError;
                    }

                    break;
                case "ENVID":
                    // RFC 3461 §4.4: xtext, at most 100 characters.
                    if (!Xtext.IsValid(p.Value) || p.Value!.Length > 100)
                    {
                        return SmtpReplies.SyntaxError;
                    }

                    break;
                case "AUTH":
                    // RFC 4954 §5: accepted and not trusted; we record the authenticated user ourselves.
                    break;
                default:
                    return SmtpReplies.UnsupportedParameter;
            }
        }

        // Refused before the client sends the message, not after (RFC 1870 §6's 452; Postfix's
        // queue_minfree): the spool keeps its free-space margin, counting the declared size.
        return _context.Queue.HasRoomFor(declared) ? null : SmtpReplies.StorageFull;
    }

    private SessionStep Rcpt(ReadOnlySpan<byte> args)
    {
        if (_mailFrom is null)
        {
            Reply(_helo is null ? SmtpReplies.NeedHelo : SmtpReplies.NeedMail);
            return SessionStep.NeedMore;
        }

        var utf8 = _mailFrom.Find("SMTPUTF8", out var present) is null && present;
        var status = SmtpPathParser.TryParse(args, "TO:"u8, isReversePath: false, utf8Transaction: utf8, out var command);
        if (status != PathStatus.Ok)
        {
            Reply(PathError(status, SmtpReplies.RecipientSyntax));
            return SessionStep.NeedMore;
        }

        string? notify = null;
        string? orcpt = null;
        foreach (var p in command!.Parameters)
        {
            switch (p.Keyword)
            {
                case "NOTIFY" when IsValidNotify(p.Value):
                    notify = p.Value!.ToUpperInvariant();
                    break;
                case "ORCPT" when IsValidOrcpt(p.Value):
                    orcpt = p.Value;
                    break;
                case "NOTIFY" or "ORCPT":
                    Reply(SmtpReplies.SyntaxError);
                    return SessionStep.NeedMore;
                default:
                    Reply(SmtpReplies.UnsupportedParameter);
                    return SessionStep.NeedMore;
            }
        }

        if (_recipients.Count >= _context.Limits.MaxRecipients)
        {
            Reply(SmtpReplies.TooManyRecipients);
            return SessionStep.NeedMore;
        }

        var recipient = new EnvelopeRecipient(command.Address, notify, orcpt);
        if (_context.Queue.CheckRecipient(_mailFrom.Address, recipient, MayRelay(), command.HadSourceRoute) is { } refused)
        {
            Reply(refused.Reply);
            return SessionStep.NeedMore;
        }

        if (_context.Behavior?.OnRecipient(recipient.Address) is { } scripted)
        {
            Reply(scripted);
            return SessionStep.NeedMore;
        }

        _recipients.Add(recipient);
        Reply(SmtpReplies.RecipientOk);
        return SessionStep.NeedMore;
    }

    /// <summary>
    /// This client's relay rights (the intake policy decides which addresses need them): anything
    /// beyond the local domains needs an authenticated client, or a trusted network on a relay
    /// listener. No configuration reaches an open relay: an empty trusted list trusts no one.
    /// </summary>
    private bool MayRelay() => _context.Listener.Role switch
    {
        ListenerRole.Inbound or ListenerRole.Feedback => false,
        ListenerRole.Submission => _authenticatedUser is not null,
        _ => _authenticatedUser is not null || _context.IsTrusted(_client),
    };

    private static bool IsValidNotify(string? value)
    {
        // RFC 3461 §4.1: NEVER alone, or any of SUCCESS, FAILURE, DELAY.
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (string.Equals(value, "NEVER", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var part in value.Split(','))
        {
            if (!string.Equals(part, "SUCCESS", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(part, "FAILURE", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(part, "DELAY", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidOrcpt(string? value)
    {
        // RFC 3461 §4.2: addr-type ";" xtext.
        var semicolon = value?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        return semicolon > 0 && Xtext.IsValid(value![(semicolon + 1)..]);
    }

    private SessionStep StartTls(ReadOnlySpan<byte> args)
    {
        if (!args.IsEmpty)
        {
            Reply(SmtpReplies.SyntaxError);
            return SessionStep.NeedMore;
        }

        if (_tlsActive)
        {
            Reply(SmtpReplies.AlreadyTls);
            return SessionStep.NeedMore;
        }

        if (_context.Certificate is null)
        {
            Reply(SmtpReplies.TlsNotAvailable);
            return SessionStep.NeedMore;
        }

        Reply(SmtpReplies.ReadyToStartTls);
        return SessionStep.StartTls;
    }

    private void ResetTransaction()
    {
        _mailFrom = null;
        _recipients.Clear();
        _message.Reset();
        ResetDataState();
    }

    private static SmtpReply PathError(PathStatus status, SmtpReply syntax) => status switch
    {
        PathStatus.NeedsSmtpUtf8 => SmtpReplies.NeedsSmtpUtf8,
        PathStatus.TooLong => SmtpReplies.AddressTooLong,
        PathStatus.ParameterSyntax => SmtpReplies.SyntaxError,
        _ => syntax,
    };

    private static string VerbName(SmtpVerb verb) => verb switch
    {
        SmtpVerb.Ehlo => "EHLO",
        SmtpVerb.Helo => "HELO",
        SmtpVerb.Mail => "MAIL",
        SmtpVerb.Rcpt => "RCPT",
        SmtpVerb.Data => "DATA",
        SmtpVerb.Bdat => "BDAT",
        SmtpVerb.Rset => "RSET",
        SmtpVerb.Noop => "NOOP",
        SmtpVerb.Quit => "QUIT",
        SmtpVerb.Help => "HELP",
        SmtpVerb.Vrfy => "VRFY",
        SmtpVerb.Expn => "EXPN",
        SmtpVerb.StartTls => "STARTTLS",
        SmtpVerb.Auth => "AUTH",
        SmtpVerb.Http => "HTTP",
        _ => "UNKNOWN",
    };
}
