using System.Globalization;
using System.Text;

namespace Sluice.Http;

/// <summary>
/// A spooled JSON request whose attachment contents stay where they are: the serializer reads the
/// JSON with each <c>attachments[i].content</c> replaced by a short placeholder, and the composer
/// opens each placeholder as a stream that decodes the base64 from the spooled bytes as MimeKit
/// writes the message. No attachment becomes a string or a byte array.
/// </summary>
internal sealed class JsonAttachments
{
    private const string Marker = "\0attachment:";
    private readonly SpooledBody _body;
    private readonly List<(long Start, long End)> _spans;

    // Decoded lengths of contents already found valid: a batch's 1,000 messages share its attachments, and one check is enough.
    private readonly long[] _measured;

    private JsonAttachments(SpooledBody body, List<(long Start, long End)> spans)
    {
        _body = body;
        _spans = spans;
        _measured = new long[spans.Count];
        Array.Fill(_measured, -1);
    }

    public static JsonAttachments Scan(SpooledBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var json = body.OpenRead();
        return new JsonAttachments(body, AttachmentScanner.Scan(json));
    }

    /// <summary>The JSON to deserialize: attachment contents replaced by placeholders.</summary>
    public Stream OpenJson() => new PlaceholderStream(_body.OpenRead(), _spans);

    /// <summary>
    /// The decoding stream for a content value that is a placeholder; null for any other value
    /// (given inline, e.g. under an escaped property name the scan did not follow). A stream that
    /// finds its content valid tells this request, so the next one over it need not check again.
    /// </summary>
    public AttachmentContentStream? Open(string? content)
    {
        if (content is null || !content.StartsWith(Marker, StringComparison.Ordinal)
            || !int.TryParse(content.AsSpan(Marker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || index >= _spans.Count)
        {
            return null;
        }

        var (start, end) = _spans[index];
        var measured = Volatile.Read(ref _measured[index]);
        return new AttachmentContentStream(_body.Buffer, start, end, measured >= 0 ? measured : null, length => Volatile.Write(ref _measured[index], length));
    }

    /// <summary>The JSON text of the placeholder for span <paramref name="index"/> (a NUL escape, so no real value collides by accident).</summary>
    internal static byte[] Placeholder(int index) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\\u0000attachment:{index}"));
}
