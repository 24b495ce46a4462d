namespace Sluice.Core.Messages;

/// <summary>
/// What the SMTP transaction (or the API) said about a message besides its bytes:
/// reverse-path (empty for <c>&lt;&gt;</c>), recipients, and the RFC 3461/6152/6531 parameters;
/// for API submissions also the caller's tags and metadata (kept with the message, never sent).
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
    string? AuthenticatedUser = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, string>? Metadata = null);
