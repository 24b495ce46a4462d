using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;
using Sluice.Core.Messages;

namespace Sluice.Delivery.Bounces;

/// <summary>
/// Builds the RFC 3464 delivery status notification sent to the envelope sender when recipients
/// fail for good: a multipart/report (RFC 6522) with a human part, the machine-readable
/// message/delivery-status, and the original headers (RET=HDRS or no RET) or whole message (RET=FULL).
/// </summary>
public sealed class DsnBuilder(string reportingMta)
{
    /// <summary>Recipients whose NOTIFY excludes FAILURE (RFC 3461 §4.1) get no notification.</summary>
    public static bool WantsFailureNotice(EnvelopeRecipient recipient)
        => recipient.Notify is null || recipient.Notify.Contains("FAILURE", StringComparison.OrdinalIgnoreCase);

    public MimeMessage Build(MessageId id, Envelope envelope, DateTimeOffset receivedAt, IReadOnlyList<FailedRecipient> failed, Stream original, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(failed);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{reportingMta}"));
        message.To.Add(MailboxAddress.Parse(envelope.Sender));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Date = now;
        message.MessageId = $"{id.Value}.dsn.{now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}@{reportingMta}";

        // RFC 3834 §5: automatic responses are marked so that nothing auto-replies to them.
        message.Headers.Add("Auto-Submitted", "auto-replied");

        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = HumanText(failed) });
        report.Add(Status(id, envelope, receivedAt, failed));
        report.Add(Original(envelope, original));
        message.Body = report;
        return message;
    }

    private string HumanText(IReadOnlyList<FailedRecipient> failed)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at ").Append(reportingMta).Append(".\n\n");
        text.Append("Your message could not be delivered to one or more recipients. It has been given up on.\n\n");
        foreach (var f in failed)
        {
            text.Append('<').Append(f.Recipient.Address).Append(">: ");
            if (f.RemoteMta is not null)
            {
                text.Append("host ").Append(f.RemoteMta).Append(" said: ");
            }

            text.Append(f.Outcome.Reply.ToString().Replace('\n', ' ')).Append('\n');
        }

        return text.ToString();
    }

    private MessageDeliveryStatus Status(MessageId id, Envelope envelope, DateTimeOffset receivedAt, IReadOnlyList<FailedRecipient> failed)
    {
        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList();
        if (envelope.EnvelopeId is { } envid)
        {
            perMessage.Add("Original-Envelope-Id", envid);
        }

        perMessage.Add("Reporting-MTA", "dns; " + reportingMta);
        perMessage.Add("X-Sluice-Queue-ID", id.Value);
        perMessage.Add("Arrival-Date", DateUtils.FormatDate(receivedAt));
        status.StatusGroups.Add(perMessage);
        foreach (var f in failed)
        {
            var group = new HeaderList();
            if (f.Recipient.OriginalRecipient is { } orcpt)
            {
                group.Add("Original-Recipient", orcpt);
            }

            group.Add("Final-Recipient", "rfc822; " + f.Recipient.Address);
            group.Add("Action", "failed");
            var code = f.Outcome.Reply.Status is { } s && s.Class == 5 ? s.ToString() : "5.0.0";
            group.Add("Status", code);
            if (f.RemoteMta is not null)
            {
                group.Add("Remote-MTA", "dns; " + f.RemoteMta);
            }

            group.Add("Diagnostic-Code", "smtp; " + f.Outcome.Reply.ToString().Replace('\n', ' '));
            group.Add("Last-Attempt-Date", DateUtils.FormatDate(f.LastAttempt));
            status.StatusGroups.Add(group);
        }

        return status;
    }

    private static MimeEntity Original(Envelope envelope, Stream original)
    {
        var full = string.Equals(envelope.Ret, "FULL", StringComparison.OrdinalIgnoreCase);
        var loaded = MimeMessage.Load(original);
        if (full)
        {
            return new MessagePart("rfc822") { Message = loaded };
        }

        var headers = new MemoryStream();
        loaded.Headers.WriteTo(headers);
        headers.Position = 0;
        return new MimePart("text", "rfc822-headers") { Content = new MimeContent(headers) };
    }
}
