namespace Sluice.Http;

/// <summary>The property names <see cref="AttachmentScanner"/> looks for; any other is <see cref="Other"/>.</summary>
internal enum ScanName : byte
{
    Other,
    Attachments,
    Content,
}
