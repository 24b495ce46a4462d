using Sluice.Delivery.Classification;
using Sluice.Smtp;

namespace Sluice.Delivery.Tests;

public sealed class BounceClassifierTests
{
    private readonly BounceClassifier _builtIn = new([]);

    [Theory]
    [InlineData("550 5.1.1 The email account that you tried to reach does not exist.", BounceCategory.InvalidRecipient)]
    [InlineData("550 Requested action not taken: mailbox unavailable", BounceCategory.InvalidRecipient)]
    [InlineData("552 5.2.2 The email account that you tried to reach is over quota.", BounceCategory.MailboxFull)]
    [InlineData("452 4.2.2 Mailbox full", BounceCategory.MailboxFull)]
    [InlineData("552 5.3.4 Message size exceeds fixed maximum message size", BounceCategory.MessageTooLarge)]
    [InlineData("550 5.7.1 Service unavailable; client host blocked using Spamhaus", BounceCategory.SpamBlock)]
    [InlineData("554 5.7.1 Message rejected as spam by Content Filtering.", BounceCategory.SpamBlock)]
    [InlineData("550 5.7.1 Relaying denied", BounceCategory.Policy)]
    [InlineData("421 4.7.0 Try again later, closing connection. (rate limited)", BounceCategory.RateLimited)]
    [InlineData("451 4.7.1 Too many messages from your IP, slow down", BounceCategory.RateLimited)]
    [InlineData("530 5.7.0 Must issue a STARTTLS command first", BounceCategory.TlsRequired)]
    [InlineData("451 4.7.4 TLS is required for this destination", BounceCategory.TlsRequired)]
    [InlineData("556 5.1.10 Domain does not accept mail (null MX, RFC 7505)", BounceCategory.BadDomain)]
    [InlineData("550 5.1.2 Bad destination domain nosuch.test: NXDOMAIN", BounceCategory.BadDomain)]
    [InlineData("451 4.4.3 DNS lookup for x.test failed", BounceCategory.DnsFailure)]
    [InlineData("451 4.4.1 Connection to 192.0.2.1:25 failed: ConnectionRefused", BounceCategory.NetworkFailure)]
    [InlineData("554 5.4.7 Delivery time expired after 9 attempts", BounceCategory.Expired)]
    [InlineData("554 Something nobody has a rule for", BounceCategory.Other)]
    public void Classify_TypicalReplies_GetTheirCategory(string text, BounceCategory expected)
    {
        Assert.True(SmtpReply.TryParse(text, out var reply));

        Assert.Equal(expected, _builtIn.Classify(reply!));
    }

    [Fact]
    public void Classify_Success_IsNone()
    {
        Assert.Equal(BounceCategory.None, _builtIn.Classify(SmtpReply.Create(250, "2.0.0", "OK")));
    }

    [Fact]
    public void Classify_UserRule_WinsOverBuiltIn()
    {
        var classifier = new BounceClassifier([new BounceRule { Category = BounceCategory.RateLimited, Codes = [550], Pattern = "daily sending quota" }]);

        Assert.Equal(BounceCategory.RateLimited, classifier.Classify(SmtpReply.Create(550, "5.4.5", "Daily sending quota exceeded")));
    }

    [Fact]
    public void Load_BadRulesFile_NamesTheProblem()
    {
        using var dir = new Testing.TempDirectory();
        var path = Path.Combine(dir.Path, "rules.json");
        File.WriteAllText(path, """[ { "category": "NoSuchCategory" } ]""");

        var ex = Assert.Throws<FormatException>(() => BounceClassifier.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
