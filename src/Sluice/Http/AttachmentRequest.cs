namespace Sluice.Http;

/// <summary>One attachment: a file name, an optional MIME type (guessed from the name otherwise), the content in base64.</summary>
internal sealed record AttachmentRequest(string? Filename, string? ContentType, string? Content);
