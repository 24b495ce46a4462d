using System.Text;
using FsCheck.Xunit;

namespace Sluice.Smtp.Tests;

public sealed class DotStufferTests
{
    [Theory]
    [InlineData("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n")]
    [InlineData(".\r\n", "..\r\n.\r\n")]
    [InlineData("no newline", "no newline\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    [InlineData("x\n.y\r\n", "x\n.y\r\n.\r\n")]
    public void Encode_Content_StuffsLineStartDotsAndTerminates(string content, string wire)
    {
        Assert.Equal(wire, Encode(Encoding.ASCII.GetBytes(content), chunk: 3));
    }

    [Property(MaxTest = 500)]
    public bool Encode_ThenDecode_GivesOriginalBody(string[] lines, int chunk)
    {
        var body = DataDecoderTests.BuildBody(lines ?? []);
        var wire = Encoding.Latin1.GetBytes(Encode(body, Math.Abs(chunk % 50) + 1));
        var decoder = new DataDecoder();
        var output = new byte[DataDecoder.MaxOutput(wire.Length)];
        var status = decoder.Decode(wire, output, out var consumed, out var written);
        return status == DataDecodeStatus.Complete && consumed == wire.Length && output.AsSpan(0, written).SequenceEqual(body);
    }

    [Property(MaxTest = 500)]
    public bool Encode_AnyBytesAnyChunking_MatchesByteByByteRule(byte[] raw, int chunk)
    {
        // Bytes drawn mostly from CR, LF and dot, where the line rule has its edge cases.
        var content = Array.ConvertAll(raw ?? [], b => (b % 5) switch { 0 => (byte)'\r', 1 => (byte)'\n', 2 => (byte)'.', _ => b });
        return Encode(content, Math.Abs(chunk % 17) + 1) == Reference(content);
    }

    /// <summary>The rule written out one byte at a time: a dot is doubled when it starts a line, and only CRLF ends one.</summary>
    private static string Reference(byte[] content)
    {
        var output = new List<byte>();
        var lineStart = true;
        var afterCr = false;
        foreach (var b in content)
        {
            if (lineStart && b == (byte)'.')
            {
                output.Add((byte)'.');
            }

            output.Add(b);
            lineStart = b == (byte)'\n' && afterCr;
            afterCr = b == (byte)'\r';
        }

        if (content.Length > 0 && !lineStart)
        {
            output.AddRange("\r\n"u8.ToArray());
        }

        output.AddRange(".\r\n"u8.ToArray());
        return Encoding.Latin1.GetString([.. output]);
    }

    private static string Encode(byte[] content, int chunk)
    {
        var stuffer = new DotStuffer();
        var output = new List<byte>();
        foreach (var part in content.Chunk(chunk))
        {
            var destination = new byte[DotStuffer.MaxOutput(part.Length)];
            output.AddRange(destination.AsSpan(0, stuffer.Encode(part, destination)).ToArray());
        }

        var end = new byte[5];
        output.AddRange(end.AsSpan(0, stuffer.Complete(end)).ToArray());
        return Encoding.Latin1.GetString([.. output]);
    }
}
