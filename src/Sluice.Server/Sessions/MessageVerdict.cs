using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>A scripted outcome for a complete message: accept it, refuse it with a reply, or hang up without one.</summary>
public readonly record struct MessageVerdict(MessageVerdictKind Kind, SmtpReply? Reply = null)
{
    public static MessageVerdict Accept => new(MessageVerdictKind.Accept);
}
