using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sluice.Core.Messages;
using Sluice.Http;

namespace Sluice.Integration.Tests;

/// <summary>How the API reads attachment contents out of a spooled JSON request without holding them as strings.</summary>
public sealed class JsonAttachmentsTests : IDisposable
{
    private readonly string _spill = Directory.CreateTempSubdirectory("sluice-json-").FullName;

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    /// <summary>
    /// Any bytes, base64-encoded the way JSON encoders write it (slashes escaped or not, line breaks
    /// as \n or \r\n escapes, \u00XX escapes, spaces), decode back to themselves; the JSON the
    /// serializer sees holds a placeholder instead, and the fields around it read as they were.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Open_EscapedBase64_DecodesToTheOriginalBytes()
    {
        var bytes = Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>());
        var style = Gen.Choose(0, 15);
        return Prop.ForAll(bytes.ToArbitrary(), style.ToArbitrary(), (data, flags) =>
        {
            var json = $$$"""{"from":"a@x.example","attachments":[{"filename":"f.bin","content":"{{{Escape(Convert.ToBase64String(data), flags)}}}"}],"metadata":{"content":"kept"}}""";
            using var body = Spool(json);
            var attachments = JsonAttachments.Scan(body);
            var request = System.Text.Json.JsonSerializer.Deserialize<SendMessageRequest>(attachments.OpenJson(), MessagesEndpoints.Json)!;
            using var content = attachments.Open(request.Attachments![0].Content);
            var ok = content!.TryMeasure(out var length);
            using var decoded = new MemoryStream();
            content.CopyTo(decoded);
            return ok && length == data.Length && decoded.ToArray().AsSpan().SequenceEqual(data)
                && request.Metadata!["content"] == "kept" && request.From == "a@x.example";
        });
    }

    [Fact]
    public void Open_AfterAValidMeasure_KnowsTheLengthWithoutReading()
    {
        using var body = Spool("""{"attachments":[{"filename":"f","content":"QUJDRA=="}]}""");
        var attachments = JsonAttachments.Scan(body);
        var request = System.Text.Json.JsonSerializer.Deserialize<SendMessageRequest>(attachments.OpenJson(), MessagesEndpoints.Json)!;
        var placeholder = request.Attachments![0].Content!;
        using (var first = attachments.Open(placeholder)!)
        {
            Assert.True(first.TryMeasure(out _));
        }

        using var second = attachments.Open(placeholder)!;

        Assert.Equal(4, second.Length);
        using var decoded = new MemoryStream();
        second.CopyTo(decoded);
        Assert.Equal("ABCD"u8.ToArray(), decoded.ToArray());
    }

    [Theory]
    [InlineData("AA=A")]
    [InlineData("%%%%")]
    [InlineData("AAA")]
    [InlineData("AA\\u00e9A")]
    [InlineData("AA\\bA")]
    public void TryMeasure_NotBase64_IsFalse(string content)
    {
        using var body = Spool($$$"""{"attachments":[{"filename":"f","content":"{{{content}}}"}]}""");
        var attachments = JsonAttachments.Scan(body);
        var request = System.Text.Json.JsonSerializer.Deserialize<SendMessageRequest>(attachments.OpenJson(), MessagesEndpoints.Json)!;

        using var stream = attachments.Open(request.Attachments![0].Content);

        Assert.False(stream!.TryMeasure(out _));
    }

    [Fact]
    public void Scan_ContentOutsideTheAttachmentsArray_IsLeftInline()
    {
        using var body = Spool("""{"headers":{"content":"h"},"attachments":[{"filename":"f","content":"QUJD"}],"metadata":{"attachments":"[{\"content\":1}]"}}""");
        var attachments = JsonAttachments.Scan(body);

        var request = System.Text.Json.JsonSerializer.Deserialize<SendMessageRequest>(attachments.OpenJson(), MessagesEndpoints.Json)!;

        Assert.Equal("h", request.Headers!["content"]);
        Assert.Equal("""[{"content":1}]""", request.Metadata!["attachments"]);
        Assert.NotNull(attachments.Open(request.Attachments![0].Content));
        Assert.Null(attachments.Open("QUJD"));
    }

    /// <summary>Any text split anywhere into chunks comes out with CRLF line ends only, ending in CRLF, its other bytes unchanged.</summary>
    [Property(MaxTest = 300)]
    public Property Convert_AnyChunking_GivesCrlfLinesAndKeepsTheText()
    {
        var text = Gen.ArrayOf(Gen.Elements((byte)'a', (byte)'b', (byte)'\r', (byte)'\n'));
        return Prop.ForAll(text.ToArbitrary(), Gen.Choose(1, 7).ToArbitrary(), (input, chunk) =>
        {
            var writer = new CrlfWriter();
            var output = new List<byte>();
            var scratch = new byte[(chunk * 2) + 2];
            for (var i = 0; i < input.Length; i += chunk)
            {
                var n = writer.Convert(input.AsSpan(i, Math.Min(chunk, input.Length - i)), scratch);
                output.AddRange(scratch.AsSpan(0, n).ToArray());
            }

            output.AddRange(scratch.AsSpan(0, writer.Finish(scratch)).ToArray());
            var bytes = output.ToArray();
            var crlfOnly = true;
            for (var i = 0; i < bytes.Length; i++)
            {
                crlfOnly &= bytes[i] != (byte)'\n' || (i > 0 && bytes[i - 1] == (byte)'\r');
                crlfOnly &= bytes[i] != (byte)'\r' || (i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n');
            }

            var alreadyCrlf = Encoding.ASCII.GetString(input).Replace("\r\n", string.Empty, StringComparison.Ordinal).IndexOfAny(['\r', '\n']) < 0
                && input.AsSpan().EndsWith("\r\n"u8);
            return crlfOnly && bytes.AsSpan().EndsWith("\r\n"u8)
                && Letters(bytes).SequenceEqual(Letters(input))
                && (!alreadyCrlf || bytes.AsSpan().SequenceEqual(input));
        });
    }

    private static IEnumerable<byte> Letters(byte[] bytes) => bytes.Where(b => b is not ((byte)'\r' or (byte)'\n'));

    private SpooledBody Spool(string json)
    {
        var buffer = new MessageBuffer(_spill, memoryThreshold: 64);
        buffer.Write(Encoding.UTF8.GetBytes(json));
        return SpooledBody.Wrap(buffer);
    }

    /// <summary>Base64 as different JSON writers put it in a string.</summary>
    private static string Escape(string base64, int flags)
    {
        var text = new StringBuilder();
        for (var i = 0; i < base64.Length; i++)
        {
            if ((flags & 1) != 0 && i > 0 && i % 76 == 0)
            {
                text.Append((flags & 2) != 0 ? "\\r\\n" : "\\n");
            }

            var c = base64[i];
            text.Append(c switch
            {
                '/' when (flags & 4) != 0 => "\\/",
                '+' when (flags & 8) != 0 => "\\u002B",
                '=' when (flags & 8) != 0 => "\\u003d",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
