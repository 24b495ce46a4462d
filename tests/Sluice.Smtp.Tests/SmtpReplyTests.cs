using System.Buffers;
using System.Text;

namespace Sluice.Smtp.Tests;

public sealed class SmtpReplyTests
{
    [Fact]
    public void WriteTo_MultiLine_UsesContinuationForm()
    {
        var writer = new ArrayBufferWriter<byte>();
        SmtpReply.Create(250, "2.0.0", "first\nsecond").WriteTo(writer);

        Assert.Equal("250-2.0.0 first\r\n250 2.0.0 second\r\n", Encoding.ASCII.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void WriteTo_WithoutStatus_HasNoEnhancedCode()
    {
        var writer = new ArrayBufferWriter<byte>();
        new SmtpReply(354, null, "go ahead").WriteTo(writer);

        Assert.Equal("354 go ahead\r\n", Encoding.ASCII.GetString(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(250, false, false)]
    [InlineData(421, true, false)]
    [InlineData(554, false, true)]
    public void Classification_ByCode_IsTransientOrPermanent(int code, bool transient, bool permanent)
    {
        var reply = new SmtpReply(code, null, "x");

        Assert.Equal(transient, reply.IsTransient);
        Assert.Equal(permanent, reply.IsPermanent);
    }

    [Fact]
    public void Equals_SameValues_AreEqual()
    {
        Assert.Equal(SmtpReply.Create(550, "5.1.1", "no"), SmtpReply.Create(550, "5.1.1", "no"));
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a+2Bb", true)]
    [InlineData("a+2b", false)]
    [InlineData("a=b", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public void Xtext_IsValid_FollowsRfc3461(string value, bool valid)
    {
        Assert.Equal(valid, Xtext.IsValid(value));
    }
}
