using System.Text;
using MimeKit;
using Sluice.Delivery.Feedback;

namespace Sluice.Delivery.Tests;

public sealed class FeedbackParserTests
{
    private const string Original = "Received: from mx.sluice.test by mx.provider.test (Sluice) with ESMTP id 01PROVIDERSIDE00000000000;\r\n Mon, 30 Nov 2026 12:00:00 +0000\r\nReceived: from api ([127.0.0.1])\r\n\tby node.test (Sluice) with HTTP id 01NODESIDE000000000000000;\r\n\tMon, 30 Nov 2026 11:59:59 +0000\r\nFrom: news@brand.example\r\nTo: Reader <reader@mail.example>\r\nSubject: hi\r\n\r\nbody\r\n";

    [Fact]
    public void Parse_ArfWithoutOriginalRcptTo_RecipientFromTheReturnedToAndEverySluiceId()
    {
        var report = Single(Load($"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nabuse report\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: Fraud\r\nVersion: 1\r\nUser-Agent: x\r\nOriginal-Mail-From: <bounce+1@brand.example>\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n{Original}\r\n--b--\r\n"));

        Assert.Equal(FeedbackKind.Complaint, report.Kind);
        Assert.Equal(["01PROVIDERSIDE00000000000", "01NODESIDE000000000000000"], report.MessageIds);
        Assert.Equal("reader@mail.example", report.Recipient);
        Assert.Equal("bounce+1@brand.example", report.OriginalSender);
        Assert.Equal("fraud", report.FeedbackType);
    }

    [Fact]
    public void Parse_DsnWithDeliveredAndFailedRecipients_OnlyTheFailedOnes()
    {
        var reports = FeedbackParser.Parse(Load($"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsorry\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.provider.test\r\n\r\nFinal-Recipient: rfc822; ok@mail.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\nOriginal-Recipient: rfc822;Reader@Mail.example\r\nFinal-Recipient: rfc822; reader@mail.example\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n{Original[..Original.IndexOf("\r\n\r\n", StringComparison.Ordinal)]}\r\n\r\n--b--\r\n"));

        var bounce = Assert.Single(reports);
        Assert.Equal(FeedbackKind.Bounce, bounce.Kind);
        Assert.Equal("Reader@Mail.example", bounce.Recipient);
        Assert.Equal(("5.2.2", "smtp; 552 5.2.2 Mailbox full", "dns; mx.provider.test"), (bounce.Status, bounce.Diagnostic, bounce.ReportingMta));
        Assert.Contains("01NODESIDE000000000000000", bounce.MessageIds);
    }

    [Theory]
    [InlineData("Content-Type: text/plain\r\n\r\nplease unsubscribe me\r\n")]
    [InlineData("Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n")]
    public void Parse_NotAFeedbackReport_Nothing(string message)
        => Assert.Empty(FeedbackParser.Parse(Load(message)));

    [Fact]
    public void Parse_QmailTextBounce_RecipientStatusAndTheQuotedSluiceId()
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(
            "From: MAILER-DAEMON@mx.qmail.test\r\nTo: <bounces@node.test>\r\nSubject: failure notice\r\n\r\n" +
            "Hi. This is the qmail-send program at mx.qmail.test.\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n" +
            "<gone@qmail.test>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n" +
            "<full@qmail.test>:\r\nRemote host said: 552 5.2.2 Mailbox is full\r\n\r\n" +
            "--- Below this line is a copy of the message.\r\n\r\nReceived: from x ([127.0.0.1])\r\n\tby node.test (Sluice) with ESMTP id 01NODESIDE000000000000000;\r\n\tMon, 30 Nov 2026 12:00:00 +0000\r\nSubject: hello\r\n\r\nhi\r\n")));

        var reports = FeedbackParser.Parse(message);

        Assert.Equal(2, reports.Count);
        Assert.Equal(("gone@qmail.test", "5.1.1", "smtp; 550 5.1.1 Sorry, no mailbox here by that name. (#5.1.1)"), (reports[0].Recipient, reports[0].Status, reports[0].Diagnostic));
        Assert.Equal(("full@qmail.test", "5.2.2", "smtp; 552 5.2.2 Mailbox is full"), (reports[1].Recipient, reports[1].Status, reports[1].Diagnostic));
        Assert.All(reports, r => Assert.Equal(["01NODESIDE000000000000000"], r.MessageIds));
        Assert.Equal("dns; mx.qmail.test", reports[0].ReportingMta);
    }

    [Fact]
    public void Parse_ExchangeStyleTextBounce_ReadsTheHashLine()
    {
        var message = Load("Subject: Undeliverable: hello\r\nContent-Type: text/plain\r\n\r\nDelivery has failed to these recipients or groups:\r\n\r\nuser@corp.test\r\nThe e-mail address you entered couldn't be found.\r\n\r\n#550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup ##\r\n");

        var bounce = Assert.Single(FeedbackParser.Parse(message));

        Assert.Equal(("user@corp.test", "5.1.10"), (bounce.Recipient, bounce.Status));
        Assert.StartsWith("smtp; 550 5.1.10 RESOLVER", bounce.Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TextThatIsNoBounce_Nothing()
        => Assert.Empty(FeedbackParser.Parse(Load("Subject: re: your offer\r\nContent-Type: text/plain\r\n\r\nCall me at 555 1234, or write to bob@example.test.\r\n")));

    private static FeedbackReport Single(MimeMessage message) => Assert.Single(FeedbackParser.Parse(message));

    private static MimeMessage Load(string text)
        => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes("From: <reporter@provider.test>\r\nTo: <fbl@node.test>\r\nMIME-Version: 1.0\r\n" + text)));
}
