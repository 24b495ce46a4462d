using System.Text;

namespace Sluice.Smtp.Tests;

public sealed class SmtpPathParserTests
{
    [Theory]
    [InlineData("FROM:<user@example.com>", "user@example.com")]
    [InlineData("FROM: <user@example.com>", "user@example.com")]
    [InlineData("from:<>", "")]
    [InlineData("FROM:<\"quoted local\"@example.com>", "\"quoted local\"@example.com")]
    [InlineData("FROM:<@relay.example,@other.example:user@example.com>", "user@example.com")]
    [InlineData("FROM:<user@[192.0.2.1]>", "user@[192.0.2.1]")]
    [InlineData("FROM:<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]")]
    public void TryParse_ValidReversePath_ReturnsAddress(string args, string address)
    {
        var status = SmtpPathParser.TryParse(Encoding.UTF8.GetBytes(args), "FROM:"u8, true, false, out var command);

        Assert.Equal(PathStatus.Ok, status);
        Assert.Equal(address, command!.Address);
    }

    [Theory]
    [InlineData("FROM:user@example.com")]
    [InlineData("FROM:<user@example.com")]
    [InlineData("FROM:<user@@example.com>")]
    [InlineData("FROM:<.user@example.com>")]
    [InlineData("FROM:<us..er@example.com>")]
    [InlineData("FROM:<user@-example.com>")]
    [InlineData("FROM:<user@exa_mple.com>")]
    [InlineData("FROM:<user@[300.1.1.1]>")]
    [InlineData("FROM:<user>")]
    [InlineData("TO:<user@example.com>")]
    [InlineData("FROM:<user@example.com>SIZE=10")]
    public void TryParse_Malformed_IsSyntaxError(string args)
    {
        Assert.Equal(PathStatus.SyntaxError, SmtpPathParser.TryParse(Encoding.UTF8.GetBytes(args), "FROM:"u8, true, false, out _));
    }

    [Theory]
    [InlineData("FROM:<user@example.com> SIZE=")]
    [InlineData("FROM:<user@example.com> ENVID=a=b")]
    [InlineData("FROM:<user@example.com> -BAD")]
    public void TryParse_MalformedParameter_IsParameterSyntax(string args)
    {
        Assert.Equal(PathStatus.ParameterSyntax, SmtpPathParser.TryParse(Encoding.UTF8.GetBytes(args), "FROM:"u8, true, false, out _));
    }

    [Fact]
    public void TryParse_Parameters_AreUpperCasedKeywordsWithValues()
    {
        SmtpPathParser.TryParse("FROM:<a@b.example> size=1000 BODY=8BITMIME smtputf8"u8, "FROM:"u8, true, false, out var command);

        Assert.Equal(
            [new SmtpParameter("SIZE", "1000"), new SmtpParameter("BODY", "8BITMIME"), new SmtpParameter("SMTPUTF8", null)],
            command!.Parameters);
    }

    [Fact]
    public void TryParse_Utf8AddressWithoutSmtpUtf8_NeedsSmtpUtf8()
    {
        var args = Encoding.UTF8.GetBytes("FROM:<jörg@bücher.example>");

        Assert.Equal(PathStatus.NeedsSmtpUtf8, SmtpPathParser.TryParse(args, "FROM:"u8, true, false, out _));
    }

    [Fact]
    public void TryParse_Utf8AddressWithSmtpUtf8_IsAccepted()
    {
        var args = Encoding.UTF8.GetBytes("FROM:<jörg@bücher.example> SMTPUTF8");

        Assert.Equal(PathStatus.Ok, SmtpPathParser.TryParse(args, "FROM:"u8, true, false, out var command));
        Assert.True(command!.IsUtf8);
    }

    [Fact]
    public void TryParse_LocalPartOver64_IsTooLong()
    {
        var args = Encoding.ASCII.GetBytes($"TO:<{new string('a', 65)}@example.com>");

        Assert.Equal(PathStatus.TooLong, SmtpPathParser.TryParse(args, "TO:"u8, false, false, out _));
    }

    [Fact]
    public void TryParse_BarePostmasterRecipient_IsAccepted()
    {
        Assert.Equal(PathStatus.Ok, SmtpPathParser.TryParse("TO:<Postmaster>"u8, "TO:"u8, false, false, out var command));
        Assert.Equal("postmaster", command!.Address);
    }

    [Fact]
    public void TryParse_NullPathAsRecipient_IsSyntaxError()
    {
        Assert.Equal(PathStatus.SyntaxError, SmtpPathParser.TryParse("TO:<>"u8, "TO:"u8, false, false, out _));
    }
}
