namespace Sluice.Http;

/// <summary>What <see cref="AttachmentScanner"/> is inside: any object or array, the root's <c>attachments</c> array, or one attachment in it.</summary>
internal enum ScanContainer : byte
{
    Object,
    Array,
    Attachments,
    Attachment,
}
