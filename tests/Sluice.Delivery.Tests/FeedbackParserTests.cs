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

    private static FeedbackReport Single(MimeMessage message) => Assert.Single(FeedbackParser.Parse(message));

    private static MimeMessage Load(string text)
        => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes("From: <reporter@provider.test>\r\nTo: <fbl@node.test>\r\nMIME-Version: 1.0\r\n" + text)));
}
