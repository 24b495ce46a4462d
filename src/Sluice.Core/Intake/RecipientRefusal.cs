using Sluice.Smtp;

namespace Sluice.Core.Intake;

/// <summary>
/// One refused recipient: its cause, the reason in a few words for an API answer, and the SMTP reply
/// that RCPT gives for it (with its RFC 3463 enhanced status, which the API reports as <c>code</c>).
/// </summary>
public sealed record RecipientRefusal(string Address, RefusalCause Cause, string Reason, SmtpReply Reply)
{
    /// <summary>The enhanced status code as text, e.g. <c>5.7.1</c>.</summary>
    public string Code => Reply.Status?.ToString() ?? string.Empty;
}
