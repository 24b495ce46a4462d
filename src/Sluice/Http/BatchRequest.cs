using System.Text.Json;

namespace Sluice.Http;

/// <summary>POST /api/v1/batches: one template, one sender, up to 1,000 recipients each with its own variables.</summary>
internal sealed record BatchRequest(
    string? From,
    string? ReplyTo,
    TemplateReference? Template,
    BatchRecipient[]? Recipients,
    Dictionary<string, string>? Headers,
    AttachmentRequest[]? Attachments,
    string[]? Tags,
    Dictionary<string, string>? Metadata,
    bool? Unsubscribe = null);

/// <summary>One recipient of a batch: its own message, rendered with its own variables.</summary>
internal sealed record BatchRecipient(string? To, string[]? Cc, JsonElement? Variables, string[]? Tags, Dictionary<string, string>? Metadata);
