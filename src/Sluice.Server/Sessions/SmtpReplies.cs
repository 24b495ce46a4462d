using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>
/// The server's fixed replies, encoded once. Text to the peer is bland; the reason is logged.
/// Enhanced codes per RFC 3463 / RFC 5248; the greeting and EHLO reply carry none (RFC 2034 §3).
/// </summary>
internal static class SmtpReplies
{
    public static readonly SmtpReply Ok = SmtpReply.Create(250, "2.0.0", "OK");
    public static readonly SmtpReply SenderOk = SmtpReply.Create(250, "2.1.0", "Sender OK");
    public static readonly SmtpReply RecipientOk = SmtpReply.Create(250, "2.1.5", "Recipient OK");
    public static readonly SmtpReply ResetOk = SmtpReply.Create(250, "2.0.0", "Reset OK");
    public static readonly SmtpReply Bye = SmtpReply.Create(221, "2.0.0", "Bye");
    public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply ReadyToStartTls = SmtpReply.Create(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply Help = SmtpReply.Create(214, "2.0.0", "Sluice ESMTP: see RFC 5321. Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH");
    public static readonly SmtpReply CannotVrfy = SmtpReply.Create(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply AuthSucceeded = SmtpReply.Create(235, "2.7.0", "Authentication successful");

    public static readonly SmtpReply ShuttingDown = SmtpReply.Create(421, "4.3.2", "Service shutting down, try again later");
    public static readonly SmtpReply Timeout = SmtpReply.Create(421, "4.4.2", "Timeout, closing connection");
    public static readonly SmtpReply DataTooSlow = SmtpReply.Create(421, "4.4.2", "Data rate too low, closing connection");
    public static readonly SmtpReply TooManyErrors = SmtpReply.Create(421, "4.7.0", "Too many errors, closing connection");
    public static readonly SmtpReply TooManyConnections = SmtpReply.Create(421, "4.7.0", "Too many connections, try again later");
    public static readonly SmtpReply TooManyConnectionsFromYou = SmtpReply.Create(421, "4.7.0", "Too many connections from your address, try again later");
    public static readonly SmtpReply TooManyRecipients = SmtpReply.Create(452, "4.5.3", "Too many recipients");
    public static readonly SmtpReply StorageFull = SmtpReply.Create(452, "4.3.1", "Insufficient system storage, try again later");
    public static readonly SmtpReply StorageFailed = SmtpReply.Create(451, "4.3.0", "Local error in processing, try again later");
    public static readonly SmtpReply QueueUnavailable = SmtpReply.Create(451, "4.3.0", "Queue unavailable, message not accepted; try again later");
    public static readonly SmtpReply TlsNotAvailable = SmtpReply.Create(454, "4.7.0", "TLS not available");
    public static readonly SmtpReply AuthLimitReached = SmtpReply.Create(421, "4.7.0", "Too many failed authentications, closing connection");

    public static readonly SmtpReply AuthBusy = SmtpReply.Create(454, "4.7.0", "Temporary authentication failure, try again later");

    public static readonly SmtpReply CommandUnrecognized = SmtpReply.Create(500, "5.5.2", "Command not recognized");
    public static readonly SmtpReply LineTooLong = SmtpReply.Create(500, "5.5.2", "Line too long");
    public static readonly SmtpReply BareLineEnding = SmtpReply.Create(500, "5.5.2", "Bare CR or LF not allowed; lines end with CRLF");
    public static readonly SmtpReply SyntaxError = SmtpReply.Create(501, "5.5.4", "Syntax error in parameters or arguments");
    public static readonly SmtpReply SenderSyntax = SmtpReply.Create(501, "5.1.7", "Bad sender address syntax");
    public static readonly SmtpReply RecipientSyntax = SmtpReply.Create(501, "5.1.3", "Bad recipient address syntax");
    public static readonly SmtpReply EhloSyntax = SmtpReply.Create(501, "5.5.4", "EHLO/HELO needs a domain or address literal");
    public static readonly SmtpReply NotImplemented = SmtpReply.Create(502, "5.5.1", "Command not implemented");
    public static readonly SmtpReply NeedHelo = SmtpReply.Create(503, "5.5.1", "Send EHLO or HELO first");
    public static readonly SmtpReply NeedMail = SmtpReply.Create(503, "5.5.1", "Need MAIL command first");
    public static readonly SmtpReply NeedRcpt = SmtpReply.Create(503, "5.5.1", "Need RCPT command first");
    public static readonly SmtpReply NestedMail = SmtpReply.Create(503, "5.5.1", "Nested MAIL command");
    public static readonly SmtpReply AlreadyTls = SmtpReply.Create(503, "5.5.1", "TLS already active");
    public static readonly SmtpReply AlreadyAuthenticated = SmtpReply.Create(503, "5.5.1", "Already authenticated");
    public static readonly SmtpReply AuthInTransaction = SmtpReply.Create(503, "5.5.1", "AUTH not allowed during a mail transaction");
    public static readonly SmtpReply AuthNotAvailable = SmtpReply.Create(503, "5.5.1", "AUTH not available on this listener");
    public static readonly SmtpReply BdatMixedWithData = SmtpReply.Create(503, "5.5.1", "DATA not allowed during a BDAT transfer");
    public static readonly SmtpReply UnknownMechanism = SmtpReply.Create(504, "5.5.4", "Unrecognized authentication mechanism");
    public static readonly SmtpReply AuthRequired = SmtpReply.Create(530, "5.7.0", "Authentication required");
    public static readonly SmtpReply AuthFailed = SmtpReply.Create(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply AuthCancelled = SmtpReply.Create(501, "5.7.0", "Authentication cancelled");
    public static readonly SmtpReply AuthBadEncoding = SmtpReply.Create(501, "5.5.2", "Cannot decode response");
    public static readonly SmtpReply EncryptionRequired = SmtpReply.Create(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static readonly SmtpReply BareLineEndingInMessage = SmtpReply.Create(550, "5.6.0", "Message refused: bare CR or LF in content (RFC 5321 section 2.3.8)");
    public static readonly SmtpReply LongLineInMessage = SmtpReply.Create(550, "5.6.0", "Message refused: text line longer than allowed (RFC 5321 section 4.5.3.1.6)");
    public static readonly SmtpReply MessageTooBig = SmtpReply.Create(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static readonly SmtpReply NeedsSmtpUtf8 = SmtpReply.Create(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
    public static readonly SmtpReply AddressTooLong = SmtpReply.Create(553, "5.1.3", "Address too long");
    public static readonly SmtpReply EarlyTalker = SmtpReply.Create(554, "5.5.0", "Protocol error: client sent data before the greeting");
    public static readonly SmtpReply UnsupportedParameter = SmtpReply.Create(555, "5.5.4", "Unsupported MAIL/RCPT parameter");
    public static readonly SmtpReply BadBdat = SmtpReply.Create(501, "5.5.4", "Syntax: BDAT size [LAST]; closing connection");
}
