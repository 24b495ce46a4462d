using System.Net;
using System.Text;
using MimeKit;
using Sluice.Core.Messages;
using Sluice.Delivery.Smtp;

namespace Sluice.Sink;

/// <summary>
/// A mailbox provider's feedback loop, scripted: for a share of the messages the sink accepts it
/// sends an RFC 5965 ARF complaint about each recipient, with the message's header block returned
/// (text/rfc822-headers, as providers redact the body), to a feedback address at
/// <see cref="SinkSettings.FeedbackTo"/> — the sender's Feedback listener.
/// </summary>
internal sealed partial class SinkFeedbackReporter(SinkSettings settings, ILogger<SinkFeedbackReporter> logger)
{
    private readonly Random _random = settings.Seed is { } seed ? new Random(seed + 1) : new Random();
    private readonly Lock _lock = new();

    public bool Enabled => settings.FeedbackTo is not null && settings.ComplainPercent > 0;

    /// <summary>Decides, copies what the report needs and sends it in the background (the accepted message is answered first, as a provider would).</summary>
    public void OnAccepted(Envelope envelope, MessageBuffer content)
    {
        bool complain;
        lock (_lock)
        {
            complain = _random.NextDouble() * 100 < settings.ComplainPercent;
        }

        if (!complain)
        {
            return;
        }

        var headers = HeaderBlock(content);
        _ = Task.Run(() => SendAsync(envelope, headers));
    }

    private async Task SendAsync(Envelope envelope, byte[] headers)
    {
        foreach (var recipient in envelope.Recipients)
        {
            try
            {
                var report = Build(envelope.Sender, recipient.Address, headers);
                var options = new SmtpClientOptions { HeloName = settings.Hostname, ConnectTimeout = TimeSpan.FromSeconds(10), Tls = TlsPolicy.Disabled };
                var message = new OutboundMessage(
                    new Envelope(string.Empty, [new EnvelopeRecipient(settings.FeedbackAddress)]),
                    report.Length,
                    _ => ValueTask.FromResult<Stream>(new MemoryStream(report, writable: false)));
                var outcomes = await OneMessage.SendAsync(settings.FeedbackTo!, message, options, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
                var reply = outcomes[0].Outcome.Reply;
                ReportSent(logger, recipient.Address, reply);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                ReportFailed(logger, recipient.Address, ex);
            }
        }
    }

    private byte[] Build(string sender, string recipient, byte[] headers)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Feedback loop", "fbl@" + settings.Hostname));
        message.To.Add(MailboxAddress.Parse(settings.FeedbackAddress));
        message.Subject = "Abuse report";
        var feedback = new MessageFeedbackReport();
        feedback.Fields.Add("Feedback-Type", "abuse");
        feedback.Fields.Add("User-Agent", "sluice-sink/1");
        feedback.Fields.Add("Version", "1");
        feedback.Fields.Add("Original-Mail-From", $"<{sender}>");
        feedback.Fields.Add("Original-Rcpt-To", $"<{recipient}>");
        feedback.Fields.Add("Reporting-MTA", "dns; " + settings.Hostname);
        feedback.Fields.Add("Arrival-Date", DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        var returned = new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(headers)) };
        var report = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = $"This is an email abuse report for a message to {recipient}.\r\n" },
            feedback,
            returned,
        };
        message.Body = report;
        using var stream = new MemoryStream();
        message.WriteTo(Delivery.Bounces.NodeMail.Crlf, stream);
        return stream.ToArray();
    }

    /// <summary>The message's header block, up to and including the empty line.</summary>
    private static byte[] HeaderBlock(MessageBuffer content)
    {
        content.Flush();
        using var stream = new MessageBufferReadStream(content);
        using var copy = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
            var text = copy.GetBuffer().AsSpan(0, (int)copy.Length);
            var end = text.IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return text[..(end + 4)].ToArray();
            }
        }

        return copy.ToArray();
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Sink: complaint about {Recipient} sent to the feedback address: {Reply}")]
    private static partial void ReportSent(ILogger logger, string recipient, Sluice.Smtp.SmtpReply reply);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Sink: complaint about {Recipient} not sent")]
    private static partial void ReportFailed(ILogger logger, string recipient, Exception exception);
}
