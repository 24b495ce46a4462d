using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>
/// A node's own say on each RCPT after the relay decision (the suppression list): a reply refuses
/// the recipient. Called on the session's synchronous path, so it must answer from memory.
/// </summary>
internal interface IRecipientPolicy
{
    SmtpReply? Check(string sender, string recipient);
}
