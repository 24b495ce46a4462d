using Sluice.Core.Messages;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// The return path a message is sent with: its own sender, or with <see cref="FeedbackOptions.ReturnPathDomain"/>
/// a VERP address naming the message (never for the null sender of bounces, RFC 5321 §4.5.5).
/// </summary>
public sealed class ReturnPaths(SignedTokens tokens, string? domain)
{
    public string For(string sender, MessageId id)
        => domain is null || sender.Length == 0 ? sender : $"{tokens.ForReturnPath(id.Value)}@{domain}";
}
