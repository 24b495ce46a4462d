namespace Sluice.Http;

/// <summary>POST /api/v1/messages as JSON: one message, built with MimeKit.</summary>
internal sealed record SendMessageRequest(
    string? From,
    string[]? To,
    string[]? Cc,
    string[]? Bcc,
    string? ReplyTo,
    string? Subject,
    string? Text,
    string? Html,
    AttachmentRequest[]? Attachments,
    Dictionary<string, string>? Headers,
    string[]? Tags,
    Dictionary<string, string>? Metadata);
