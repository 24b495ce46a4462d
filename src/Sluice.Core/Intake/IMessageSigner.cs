using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>
/// Signs a message once at intake (DKIM), so that every delivery sends the same bytes: returns the
/// header lines to put before the message (CRLF-terminated), or null when no key applies.
/// </summary>
public interface IMessageSigner
{
    byte[]? Sign(MessageBuffer content, Envelope envelope);
}
