namespace Sluice.Http;

/// <summary>POST /api/v1/messages as JSON: one message, built with MimeKit; subject, html and text may come from a template rendered with <see cref="Variables"/>.</summary>
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
    Dictionary<string, string>? Metadata,
    TemplateReference? Template = null,
    System.Text.Json.JsonElement? Variables = null,
    bool? Unsubscribe = null);
