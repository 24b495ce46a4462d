namespace Sluice.Http;

/// <summary>
/// Finds, in a JSON request spooled to a buffer, where each <c>attachments[i].content</c> string of
/// the root object lies (the bytes between its quotes), in one pass over the bytes: only strings,
/// escapes and nesting are followed, so that the serializer never holds a 25 MB base64 string.
/// Anything it does not recognise is left inline for the serializer (which also rejects bad JSON).
/// </summary>
internal static class AttachmentScanner
{
    private const int ChunkSize = 64 * 1024;
    private const int MaxName = 16;

    public static List<(long Start, long End)> Scan(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var spans = new List<(long Start, long End)>();
        var stack = new List<ScanContainer>();
        Span<byte> name = stackalloc byte[MaxName];
        var nameLength = 0;
        var lastName = ScanName.Other;
        var expectName = false;
        var inString = false;
        var escaped = false;
        var stringIsName = false;
        long stringStart = 0;
        var chunk = new byte[ChunkSize];
        long offset = 0;
        int read;
        while ((read = json.Read(chunk, 0, ChunkSize)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = chunk[i];
                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                        nameLength = MaxName + 1;
                    }
                    else if (c == (byte)'\\')
                    {
                        escaped = true;
                    }
                    else if (c == (byte)'"')
                    {
                        inString = false;
                        if (stringIsName)
                        {
                            lastName = nameLength > MaxName ? ScanName.Other
                                : name[..nameLength].SequenceEqual("attachments"u8) ? ScanName.Attachments
                                : name[..nameLength].SequenceEqual("content"u8) ? ScanName.Content
                                : ScanName.Other;
                        }
                        else if (lastName == ScanName.Content && stack.Count > 0 && stack[^1] == ScanContainer.Attachment)
                        {
                            spans.Add((stringStart, offset + i));
                        }
                    }
                    else if (stringIsName && nameLength++ < MaxName)
                    {
                        name[nameLength - 1] = c;
                    }

                    continue;
                }

                switch (c)
                {
                    case (byte)'"':
                        inString = true;
                        stringIsName = expectName;
                        nameLength = 0;
                        stringStart = offset + i + 1;
                        break;
                    case (byte)'{':
                        stack.Add(stack.Count > 0 && stack[^1] == ScanContainer.Attachments ? ScanContainer.Attachment : ScanContainer.Object);
                        expectName = true;
                        break;
                    case (byte)'[':
                        stack.Add(stack.Count == 1 && stack[0] == ScanContainer.Object && lastName == ScanName.Attachments && !expectName ? ScanContainer.Attachments : ScanContainer.Array);
                        expectName = false;
                        break;
                    case (byte)'}' or (byte)']':
                        if (stack.Count > 0)
                        {
                            stack.RemoveAt(stack.Count - 1);
                        }

                        expectName = false;
                        break;
                    case (byte)':':
                        expectName = false;
                        break;
                    case (byte)',':
                        expectName = stack.Count > 0 && stack[^1] is ScanContainer.Object or ScanContainer.Attachment;
                        break;
                }
            }

            offset += read;
        }

        return spans;
    }
}
