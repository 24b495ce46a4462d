using Microsoft.Extensions.Logging;
using MimeKit;
using Sluice.Core.Events;
using Sluice.Core.Intake;
using Sluice.Core.Messages;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Reputation;
using Sluice.Smtp;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// What a Feedback listener hands its messages to: each is read as a report (never queued), and each
/// complaint or failed recipient in it becomes an event on the message it names (Complaint,
/// Bounce), a count (<c>sluice.feedback.*</c>), and goes to <see cref="SenderReputation"/>: the
/// sender's rates, the suppression rules, the brakes. A mail to a List-Unsubscribe mailto address unsubscribes its message's recipient. A message that is no report is accepted and dropped (counted): answering 5xx would
/// only send it back to a reporter who cannot act on it.
/// </summary>
public sealed class FeedbackIntake(
    DeliveryEventLog events,
    IMessageIndex index,
    SenderReputation reputation,
    BounceClassifier classifier,
    SignedTokens tokens,
    Unsubscriber unsubscriber,
    SluiceMetrics metrics,
    TimeProvider time,
    ILogger<FeedbackIntake> logger) : IMessageIntake
{
    private readonly LogGate<string> _notAReport = new(time, TimeSpan.FromMinutes(1));

    public bool HasRoomFor(long bytes) => true;

    /// <summary>Any recipient: reports come to return paths and feedback addresses of every shape, and nothing here is relayed.</summary>
    public RecipientRefusal? CheckRecipient(string sender, EnvelopeRecipient recipient, bool mayRelay, bool sourceRouted) => null;

    public async ValueTask<IntakeResult> StoreAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);

        // A mail to a List-Unsubscribe mailto address (RFC 2369): the address is the request.
        var unsubscribed = false;
        foreach (var recipient in envelope.Recipients)
        {
            var at = recipient.Address.LastIndexOf('@');
            if (at > 0 && tokens.ReadMailto(recipient.Address[..at]) is { } unsubscribeId
                && await index.GetAsync(unsubscribeId, cancellationToken).ConfigureAwait(false) is { Recipients.Count: 1 } message)
            {
                await unsubscriber.ApplyAsync(message.Id, message.Recipients[0].Address, AddressDomain.Of(message.Sender), UnsubscribeMethod.Mailto, cancellationToken).ConfigureAwait(false);
                unsubscribed = true;
            }
        }

        if (unsubscribed)
        {
            return new IntakeResult(IntakeOutcome.Stored, id, content.Length, envelope.Recipients.Count, []);
        }

        IReadOnlyList<FeedbackReport> reports = [];
        try
        {
            content.Flush();
            using var stream = new MessageBufferReadStream(content);
            reports = FeedbackParser.Parse(await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false));
        }
        catch (FormatException)
        {
            // Not MIME that parses: counted below as not a report.
        }

        if (reports.Count == 0)
        {
            metrics.FeedbackReports.Add(1, new KeyValuePair<string, object?>("result", "not_a_report"));
            if (_notAReport.ShouldLog("not-a-report", out var unlogged))
            {
                FeedbackLog.NotAReport(logger, envelope.ClientAddress, unlogged);
            }
        }

        // A report to a VERP return path names its message by the address, whatever the returned headers say.
        string? returnPathId = null;
        foreach (var recipient in envelope.Recipients)
        {
            var at = recipient.Address.LastIndexOf('@');
            returnPathId ??= at > 0 ? tokens.ReadReturnPath(recipient.Address[..at]) : null;
        }

        foreach (var report in reports)
        {
            await ApplyAsync(returnPathId is null ? report : report with { MessageIds = [returnPathId, .. report.MessageIds] }, cancellationToken).ConfigureAwait(false);
        }

        return new IntakeResult(IntakeOutcome.Stored, id, content.Length, envelope.Recipients.Count, []);
    }

    private async Task ApplyAsync(FeedbackReport report, CancellationToken cancellationToken)
    {
        var indexed = await FindAsync(report.MessageIds, cancellationToken).ConfigureAwait(false);
        if (indexed is null && report.MessageIds.Count > 0)
        {
            // A fast feedback loop can report a message whose events the index has not committed yet
            // (it commits in batches): once they are, look again.
            await index.FlushAsync(cancellationToken).ConfigureAwait(false);
            indexed = await FindAsync(report.MessageIds, cancellationToken).ConfigureAwait(false);
        }

        var sender = indexed?.Sender ?? report.OriginalSender;
        var domain = AddressDomain.Of(sender);
        var recipient = report.Recipient ?? (indexed is { Recipients.Count: 1 } ? indexed.Recipients[0].Address : null);
        var messageId = indexed?.Id ?? "-";
        var now = time.GetUtcNow();
        var domainTag = new KeyValuePair<string, object?>("sender_domain", domain);
        metrics.FeedbackReports.Add(1, new KeyValuePair<string, object?>("result", indexed is null ? "unmatched" : report.Kind == FeedbackKind.Complaint ? "complaint" : "bounce"));
        var identity = indexed is null ? SenderIdentity.OfSender(sender) : SenderIdentity.Of(indexed);
        Suppression? suppression;
        string? detail;
        if (report.Kind == FeedbackKind.Complaint)
        {
            detail = report.FeedbackType;
            metrics.FeedbackComplaints.Add(1, domainTag, new KeyValuePair<string, object?>("feedback_type", report.FeedbackType ?? "abuse"));
            suppression = await reputation.ComplainedAsync(identity, messageId, recipient, cancellationToken).ConfigureAwait(false);
            events.Write(new DeliveryEvent(now, DeliveryEventType.Complaint, messageId, recipient, null, report.ReportingMta, 0, report.FeedbackType, "complaint", null, Sender: sender));
        }
        else
        {
            var reply = Reply(report);
            detail = reply.ToString();
            var category = classifier.Classify(reply);
            metrics.FeedbackBounces.Add(1, domainTag, new KeyValuePair<string, object?>("classification", category.ToString()));
            suppression = await reputation.BouncedAsync(identity, messageId, recipient, reply, category, BounceOrigin.Report, cancellationToken).ConfigureAwait(false);
            events.Write(new DeliveryEvent(now, DeliveryEventType.Bounce, messageId, recipient, null, report.ReportingMta, 0, detail, category.ToString(), null, Sender: sender));
        }

        FeedbackLog.Applied(logger, report.Kind, messageId, recipient, domain, detail, suppression is not null);
    }

    /// <summary>The first of the named messages (newest Received line first) that the index knows.</summary>
    private async Task<IndexedMessage?> FindAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        foreach (var candidate in ids)
        {
            if (await index.GetAsync(candidate, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The remote server's reply from the Diagnostic-Code (<c>smtp; 550 5.1.1 …</c>), or one made from the Status.</summary>
    private static SmtpReply Reply(FeedbackReport report)
    {
        var diagnostic = report.Diagnostic;
        var semicolon = diagnostic?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        var text = semicolon >= 0 ? diagnostic![(semicolon + 1)..].Trim() : diagnostic;
        if (SmtpReply.TryParse(text, out var parsed) && parsed is not null)
        {
            return parsed;
        }

        var permanent = report.Status is null || report.Status.StartsWith('5');
        EnhancedStatusCode? status = report.Status is { } s && EnhancedStatusCode.TryParse(s, permanent ? 550 : 450, out var code) ? code : null;
        return new SmtpReply(permanent ? 550 : 450, status, text ?? "bounced");
    }
}
