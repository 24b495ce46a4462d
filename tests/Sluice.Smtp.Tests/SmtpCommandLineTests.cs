using System.Text;

namespace Sluice.Smtp.Tests;

public sealed class SmtpCommandLineTests
{
    [Theory]
    [InlineData("EHLO example.com", SmtpVerb.Ehlo, "example.com")]
    [InlineData("ehlo example.com", SmtpVerb.Ehlo, "example.com")]
    [InlineData("MaIl FROM:<a@b>", SmtpVerb.Mail, "FROM:<a@b>")]
    [InlineData("DATA", SmtpVerb.Data, "")]
    [InlineData("starttls", SmtpVerb.StartTls, "")]
    [InlineData("BDAT 100 LAST", SmtpVerb.Bdat, "100 LAST")]
    [InlineData("GET / HTTP/1.1", SmtpVerb.Http, "/ HTTP/1.1")]
    [InlineData("POST /x HTTP/1.1", SmtpVerb.Http, "/x HTTP/1.1")]
    [InlineData("CONNECT host:25 HTTP/1.1", SmtpVerb.Http, "host:25 HTTP/1.1")]
    [InlineData("XYZZ", SmtpVerb.Unknown, "")]
    [InlineData("MAILX FROM:<a@b>", SmtpVerb.Unknown, "FROM:<a@b>")]
    public void ParseVerb_Line_ClassifiesVerbAndSplitsArguments(string line, SmtpVerb verb, string args)
    {
        var parsed = SmtpCommandLine.ParseVerb(Encoding.ASCII.GetBytes(line), out var arguments);

        Assert.Equal(verb, parsed);
        Assert.Equal(args, Encoding.ASCII.GetString(arguments));
    }
}
