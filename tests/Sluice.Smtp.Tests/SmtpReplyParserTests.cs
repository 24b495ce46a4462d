using System.Buffers;
using System.Text;

namespace Sluice.Smtp.Tests;

public sealed class SmtpReplyParserTests
{
    [Fact]
    public void TryParse_MultiLineEhlo_ReturnsAllLines()
    {
        var status = Parse("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\nnext", out var reply, out var lines, out var consumed);

        Assert.Equal(ReplyParseStatus.Complete, status);
        Assert.Equal(250, reply!.Code);
        Assert.Equal(["mx.example", "PIPELINING", "SIZE 1000"], lines);
        Assert.Equal("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n".Length, consumed);
    }

    [Fact]
    public void TryParse_EnhancedCode_IsSeparatedFromText()
    {
        Parse("550-5.1.1 The mailbox\r\n550 5.1.1 does not exist\r\n", out var reply, out _, out _);

        Assert.Equal(new EnhancedStatusCode(5, 1, 1), reply!.Status);
        Assert.Equal("The mailbox\ndoes not exist", reply.Text);
        Assert.True(reply.IsPermanent);
    }

    /// <summary>Found by fuzzing (fuzz/regressions/reply): a three-digit class overflowed a byte and threw.</summary>
    [Theory]
    [InlineData("421 435.7.0 Try later\r\n", "435.7.0 Try later")]
    [InlineData("550 5.1234.1 odd\r\n", "5.1234.1 odd")]
    [InlineData("550 4.1.1 class differs from the code\r\n", "4.1.1 class differs from the code")]
    [InlineData("250 2..0 empty subject\r\n", "2..0 empty subject")]
    public void TryParse_NotAnRfc3463Status_IsKeptAsText(string wire, string text)
    {
        var status = Parse(wire, out var reply, out _, out _);

        Assert.Equal(ReplyParseStatus.Complete, status);
        Assert.Null(reply!.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public void TryParse_NoEnhancedCode_KeepsText()
    {
        Parse("220 mx.example ESMTP ready\r\n", out var reply, out _, out _);

        Assert.Null(reply!.Status);
        Assert.Equal("mx.example ESMTP ready", reply.Text);
    }

    [Fact]
    public void TryParse_Incomplete_NeedsMoreAndConsumesNothing()
    {
        Assert.Equal(ReplyParseStatus.NeedMore, Parse("250-first\r\n250 sec", out _, out _, out var consumed));
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData("hello\r\n")]
    [InlineData("250-a\r\n251 b\r\n")]
    [InlineData("999 no\r\n")]
    public void TryParse_NotAReply_IsMalformed(string text)
    {
        Assert.Equal(ReplyParseStatus.Malformed, Parse(text, out _, out _, out _));
    }

    private static ReplyParseStatus Parse(string text, out SmtpReply? reply, out IReadOnlyList<string> lines, out long consumed)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)));
        var status = SmtpReplyParser.TryParse(ref reader, out reply, out lines);
        consumed = reader.Consumed;
        return status;
    }
}
