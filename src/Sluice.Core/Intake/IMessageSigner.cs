using Sluice.Core.Messages;

namespace Sluice.Core.Intake;

/// <summary>
/// Signs a message once at intake (DKIM), so that every delivery sends the same bytes: returns the
/// header lines to put before the message (CRLF-terminated), or null when no key applies.
/// </summary>
public interface IMessageSigner
{
    /// <param name="from">The message's From field as read once at intake (also judged for alignment).</param>
    byte[]? Sign(MessageBuffer content, Envelope envelope, string? from);
}
