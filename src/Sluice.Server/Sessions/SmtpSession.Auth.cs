using System.Text;

namespace Sluice.Server.Sessions;

/// <summary>AUTH PLAIN (RFC 4616) and LOGIN. No line of this exchange is ever logged.</summary>
internal sealed partial class SmtpSession
{
    private static readonly Smtp.SmtpReply EmptyChallenge = new(334, null, string.Empty);
    private static readonly Smtp.SmtpReply UsernameChallenge = new(334, null, "VXNlcm5hbWU6");
    private static readonly Smtp.SmtpReply PasswordChallenge = new(334, null, "UGFzc3dvcmQ6");
    private string? _loginUser;
    private (string User, string Password)? _pendingAuth;

    private SessionStep Auth(ReadOnlySpan<byte> args)
    {
        var refusal = _helo is null || !_esmtp ? SmtpReplies.NeedHelo
            : _authenticatedUser is not null ? SmtpReplies.AlreadyAuthenticated
            : _mailFrom is not null ? SmtpReplies.AuthInTransaction
            : _context.Listener.Role is Configuration.ListenerRole.Inbound or Configuration.ListenerRole.Feedback || !_context.Users.HasUsers ? SmtpReplies.AuthNotAvailable
            : !_tlsActive && !_context.Listener.AllowPlaintextAuth ? SmtpReplies.EncryptionRequired
            : null;
        if (refusal is not null)
        {
            Reply(refusal);
            return SessionStep.NeedMore;
        }

        if (_context.AuthLimiter.IsBlocked(_client))
        {
            // Past the limit a guesser gets no more tries on this connection (nor on the next ones, for the window).
            Reply(SmtpReplies.AuthLimitReached);
            return SessionStep.Close;
        }

        var space = args.IndexOf((byte)' ');
        var mechanism = space < 0 ? args : args[..space];
        var initial = space < 0 ? [] : args[(space + 1)..];
        if (Ascii.EqualsIgnoreCase(mechanism, "PLAIN"u8))
        {
            if (initial.IsEmpty)
            {
                _mode = SessionMode.AuthPlainResponse;
                Reply(EmptyChallenge);
                return SessionStep.NeedMore;
            }

            // RFC 4954 §4: "=" is an empty initial response.
            return CompletePlain(initial.SequenceEqual("="u8) ? [] : initial);
        }

        if (Ascii.EqualsIgnoreCase(mechanism, "LOGIN"u8))
        {
            if (initial.IsEmpty)
            {
                _mode = SessionMode.AuthLoginUser;
                Reply(UsernameChallenge);
                return SessionStep.NeedMore;
            }

            return LoginUser(initial);
        }

        Reply(SmtpReplies.UnknownMechanism);
        return SessionStep.NeedMore;
    }

    private SessionStep HandleAuthResponse(ReadOnlySpan<byte> line)
    {
        var mode = _mode;
        _mode = SessionMode.Command;
        if (line.SequenceEqual("*"u8))
        {
            _loginUser = null;
            Reply(SmtpReplies.AuthCancelled);
            return SessionStep.NeedMore;
        }

        return mode switch
        {
            SessionMode.AuthPlainResponse => CompletePlain(line),
            SessionMode.AuthLoginUser => LoginUser(line),
            _ => LoginPassword(line),
        };
    }

    private SessionStep CompletePlain(ReadOnlySpan<byte> base64)
    {
        if (!TryDecode(base64, out var decoded))
        {
            Reply(SmtpReplies.AuthBadEncoding);
            return SessionStep.NeedMore;
        }

        // authzid NUL authcid NUL passwd; we act only as authcid, so a different authzid is refused.
        var parts = decoded.Split('\0');
        if (parts.Length != 3 || (parts[0].Length > 0 && parts[0] != parts[1]))
        {
            return AuthResult(null, null);
        }

        return AuthResult(parts[1], parts[2]);
    }

    private SessionStep LoginUser(ReadOnlySpan<byte> base64)
    {
        if (!TryDecode(base64, out var user))
        {
            Reply(SmtpReplies.AuthBadEncoding);
            return SessionStep.NeedMore;
        }

        _loginUser = user;
        _mode = SessionMode.AuthLoginPassword;
        Reply(PasswordChallenge);
        return SessionStep.NeedMore;
    }

    private SessionStep LoginPassword(ReadOnlySpan<byte> base64)
    {
        var user = _loginUser;
        _loginUser = null;
        if (!TryDecode(base64, out var password))
        {
            Reply(SmtpReplies.AuthBadEncoding);
            return SessionStep.NeedMore;
        }

        return AuthResult(user, password);
    }

    private SessionStep AuthResult(string? user, string? password)
    {
        if (user is null || password is null)
        {
            _context.AuthLimiter.RecordFailure(_client);
            ServerLog.AuthFailed(_context.Logger, _client);
            Reply(SmtpReplies.AuthFailed);
            return SessionStep.NeedMore;
        }

        // Counted before it is checked: concurrent attempts cannot pass the limit.
        if (!_context.AuthLimiter.TryBegin(_client, user))
        {
            Reply(SmtpReplies.AuthLimitReached);
            return SessionStep.Close;
        }

        _pendingAuth = (user, password);
        return SessionStep.VerifyAuth;
    }

    /// <summary>Checks the pending credentials on the verifier's thread (PBKDF2 never runs on a session's) and answers.</summary>
    private async Task VerifyPendingAuthAsync()
    {
        var (user, password) = _pendingAuth!.Value;
        _pendingAuth = null;
        var verified = await _context.Users.VerifyAsync(user, password).ConfigureAwait(false);
        _context.AuthLimiter.End(_client, user, failed: verified == false);
        switch (verified)
        {
            case true:
                _authenticatedUser = user;
                ServerLog.AuthSucceeded(_context.Logger, _client, user);
                Reply(SmtpReplies.AuthSucceeded);
                break;
            case false:
                ServerLog.AuthFailed(_context.Logger, _client);
                Reply(SmtpReplies.AuthFailed);
                break;
            default:
                Reply(SmtpReplies.AuthBusy);
                break;
        }
    }

    private void CancelAuthExchange()
    {
        if (_mode is SessionMode.AuthPlainResponse or SessionMode.AuthLoginUser or SessionMode.AuthLoginPassword)
        {
            _mode = SessionMode.Command;
            _loginUser = null;
        }
    }

    private static bool TryDecode(ReadOnlySpan<byte> base64, out string text)
    {
        var bytes = new byte[System.Buffers.Text.Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        if (System.Buffers.Text.Base64.DecodeFromUtf8(base64, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            text = string.Empty;
            return false;
        }

        text = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }
}
