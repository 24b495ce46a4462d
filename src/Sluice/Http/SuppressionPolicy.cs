using Sluice.Core.State;
using Sluice.Server.Sessions;
using Sluice.Smtp;

namespace Sluice.Http;

/// <summary>RCPT of a suppressed recipient: 550 5.7.1 (RFC 3463: delivery not authorized), with the reason.</summary>
internal sealed class SuppressionPolicy(SuppressionList list, TimeProvider time) : IRecipientPolicy
{
    public SmtpReply? Check(string sender, string recipient)
        => list.Find(recipient, sender, time.GetUtcNow()) is { } hit
            ? new SmtpReply(550, new EnhancedStatusCode(5, 7, 1), $"Recipient <{recipient}> is on the suppression list ({hit.Reason.ToString().ToLowerInvariant()})")
            : null;
}
