namespace Sluice.Core.Messages;

/// <summary>
/// What the SMTP transaction (or the API) said about a message besides its bytes:
/// reverse-path (empty for <c>&lt;&gt;</c>), recipients, and the RFC 3461/6152/6531 parameters.
/// </summary>
public sealed record Envelope(
    string Sender,
    IReadOnlyList<EnvelopeRecipient> Recipients,
    string? EnvelopeId = null,
    string? Ret = null,
    string? BodyType = null,
    bool SmtpUtf8 = false,
    string? ClientAddress = null,
    string? HeloName = null,
    string? AuthenticatedUser = null);
