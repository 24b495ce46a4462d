namespace Sluice.Smtp;

/// <summary>An ESMTP <c>keyword[=value]</c> parameter of MAIL or RCPT (RFC 5321 §4.1.2). Keyword is upper-cased.</summary>
public readonly record struct SmtpParameter(string Keyword, string? Value);
