using System.Text;
using FsCheck.Xunit;

namespace Sluice.Smtp.Tests;

public sealed class DataDecoderTests
{
    [Fact]
    public void Decode_StuffedLinesAndTerminator_RemovesStuffingAndKeepsFinalCrlf()
    {
        var (output, consumed, complete) = DecodeAll("Hello\r\n..dot\r\n.\r\nQUIT\r\n"u8.ToArray(), [int.MaxValue]);

        Assert.True(complete);
        Assert.Equal("Hello\r\n.dot\r\n", Encoding.ASCII.GetString(output));
        Assert.Equal("Hello\r\n..dot\r\n.\r\n".Length, consumed);
    }

    [Fact]
    public void Decode_EmptyMessage_CompletesAtFirstDotLine()
    {
        var (output, consumed, complete) = DecodeAll(".\r\n"u8.ToArray(), [int.MaxValue]);

        Assert.True(complete);
        Assert.Empty(output);
        Assert.Equal(3, consumed);
    }

    [Theory]
    [InlineData("a\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r.\rMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\n.\r\nMAIL FROM:<x@y>\r\n")]
    public void Decode_BareLineEndingTerminators_DoNotEndTheMessage(string text)
    {
        var (_, _, complete) = DecodeAll(Encoding.ASCII.GetBytes(text), [int.MaxValue]);

        Assert.False(complete);
    }

    [Property(MaxTest = 500)]
    public bool Decode_AnySplitOfStuffedBody_GivesOriginalBody(string[] lines, int[] splits)
    {
        var body = BuildBody(lines ?? []);
        var wire = Stuff(body).Concat(".\r\nNEXT\r\n"u8.ToArray()).ToArray();
        var (output, consumed, complete) = DecodeAll(wire, splits ?? []);
        return complete && output.AsSpan().SequenceEqual(body) && consumed == wire.Length - "NEXT\r\n".Length;
    }

    internal static byte[] BuildBody(string[] lines)
    {
        var body = new List<byte>();
        foreach (var line in lines)
        {
            foreach (var c in line ?? string.Empty)
            {
                var b = (byte)c;
                if (b is not (byte)'\r' and not (byte)'\n')
                {
                    body.Add(b);
                }
            }

            body.Add((byte)'\r');
            body.Add((byte)'\n');
        }

        return [.. body];
    }

    internal static byte[] Stuff(byte[] body)
    {
        var output = new List<byte>();
        var lineStart = true;
        foreach (var b in body)
        {
            if (lineStart && b == (byte)'.')
            {
                output.Add((byte)'.');
            }

            output.Add(b);
            lineStart = b == (byte)'\n';
        }

        return [.. output];
    }

    /// <summary>Feeds the wire bytes in chunks whose sizes come from <paramref name="splits"/>, as reads would.</summary>
    private static (byte[] Output, int Consumed, bool Complete) DecodeAll(byte[] wire, int[] splits)
    {
        var decoder = new DataDecoder();
        var output = new List<byte>();
        var offset = 0;
        var s = 0;
        while (offset < wire.Length)
        {
            var size = splits.Length == 0 ? wire.Length : Math.Max(1, Math.Abs(splits[s++ % splits.Length] % 17) + 1);
            var chunk = wire.AsSpan(offset, Math.Min(size, wire.Length - offset));
            var destination = new byte[DataDecoder.MaxOutput(chunk.Length)];
            var status = decoder.Decode(chunk, destination, out var consumed, out var written);
            output.AddRange(destination.AsSpan(0, written).ToArray());
            offset += consumed;
            if (status == DataDecodeStatus.Complete)
            {
                return ([.. output], offset, true);
            }
        }

        return ([.. output], offset, false);
    }
}
