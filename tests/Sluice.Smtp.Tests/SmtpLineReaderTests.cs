using System.Buffers;
using System.Text;

namespace Sluice.Smtp.Tests;

public sealed class SmtpLineReaderTests
{
    [Fact]
    public void TryReadLine_CrlfLine_ReturnsLineWithoutCrlf()
    {
        var status = Read("NOOP\r\nQUIT\r\n", 512, out var line, out var consumed);

        Assert.Equal(LineStatus.Complete, status);
        Assert.Equal("NOOP", line);
        Assert.Equal(6, consumed);
    }

    [Theory]
    [InlineData("NOOP\n")]
    [InlineData("NO\rOP\r\n")]
    [InlineData("\n")]
    public void TryReadLine_BareCrOrLf_IsReported(string input)
    {
        Assert.Equal(LineStatus.BareLineEnding, Read(input, 512, out _, out _));
    }

    [Fact]
    public void TryReadLine_NoLineEndYet_NeedsMore()
    {
        Assert.Equal(LineStatus.NeedMore, Read("MAIL FROM:<a@b>", 512, out _, out var consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void TryReadLine_OverLimitWithEnd_IsTooLongAndConsumed()
    {
        var status = Read(new string('x', 511) + "\r\n", 512, out _, out var consumed);

        Assert.Equal(LineStatus.TooLong, status);
        Assert.Equal(513, consumed);
    }

    [Fact]
    public void TryReadLine_ExactlyAtLimit_IsComplete()
    {
        Assert.Equal(LineStatus.Complete, Read(new string('x', 510) + "\r\n", 512, out _, out _));
    }

    [Fact]
    public void TryReadLine_OverLimitWithoutEnd_IsTooLongAndNothingConsumed()
    {
        var status = Read(new string('x', 600), 512, out _, out var consumed);

        Assert.Equal(LineStatus.TooLong, status);
        Assert.Equal(0, consumed);
    }

    private static LineStatus Read(string input, int limit, out string line, out long consumed)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)));
        var status = SmtpLineReader.TryReadLine(ref reader, limit, out var sequence);
        line = Encoding.ASCII.GetString(sequence.ToArray());
        consumed = status == LineStatus.TooLong && !input.Contains('\n', StringComparison.Ordinal) ? 0 : reader.Consumed;
        return status;
    }
}
