using MimeKit;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// Reads a multipart/report (RFC 6522) with MimeKit: <c>feedback-report</c> (RFC 5965 ARF) gives a
/// complaint, <c>delivery-status</c> (RFC 3464) a bounce for each recipient whose Action is
/// <c>failed</c>. The returned message (message/rfc822 or text/rfc822-headers) is searched for the
/// Received lines a Sluice wrote (<c>by HOST (Sluice) with … id ID</c>), which name the message.
/// Anything else that says it is a bounce goes to <see cref="PlainBounce"/>.
/// </summary>
public static class FeedbackParser
{
    public static IReadOnlyList<FeedbackReport> Parse(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Body is not MultipartReport report)
        {
            return PlainBounce.Parse(message);
        }

        var original = Original(report);
        IReadOnlyList<string> messageIds = original is null ? [] : SluiceMessageIds(original);
        if (string.Equals(report.ReportType, "feedback-report", StringComparison.OrdinalIgnoreCase))
        {
            var fields = report.OfType<MessageFeedbackReport>().FirstOrDefault()?.Fields;
            if (fields is null)
            {
                return [];
            }

            var recipient = Address(fields["Original-Rcpt-To"]) ?? (original?[HeaderId.To] is { } to && InternetAddressList.TryParse(to, out var list) ? list.Mailboxes.FirstOrDefault()?.Address : null);
            return
            [
                new FeedbackReport(
                    FeedbackKind.Complaint,
                    messageIds,
                    recipient,
                    Address(fields["Original-Mail-From"]),
                    fields["Feedback-Type"]?.Trim().ToLowerInvariant() ?? "abuse",
                    null,
                    null,
                    fields["Reporting-MTA"]?.Trim()),
            ];
        }

        if (string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase) && report.OfType<MessageDeliveryStatus>().FirstOrDefault() is { } status)
        {
            var groups = status.StatusGroups;
            var reportingMta = groups.Count > 0 ? groups[0]["Reporting-MTA"]?.Trim() : null;
            var bounces = new List<FeedbackReport>();
            for (var i = 1; i < groups.Count; i++)
            {
                var group = groups[i];
                if (!string.Equals(group["Action"]?.Trim(), "failed", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                bounces.Add(new FeedbackReport(
                    FeedbackKind.Bounce,
                    messageIds,
                    Address(group["Original-Recipient"]) ?? Address(group["Final-Recipient"]),
                    original?[HeaderId.ReturnPath] is { } path ? Address(path) : null,
                    null,
                    group["Status"]?.Trim(),
                    group["Diagnostic-Code"]?.Trim(),
                    reportingMta));
            }

            return bounces;
        }

        return [];
    }

    /// <summary>The headers of the returned message, whole or headers only.</summary>
    private static HeaderList? Original(MultipartReport report)
    {
        foreach (var part in report)
        {
            if (part is MessagePart { Message: { } message })
            {
                return message.Headers;
            }

            if (part is TextPart text && text.ContentType.IsMimeType("text", "rfc822-headers"))
            {
                using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.Text + "\r\n"));
                return HeaderList.Load(stream);
            }
        }

        return null;
    }

    /// <summary>The ids in the Received lines Sluice wrote (<c>… (Sluice) with PROTOCOL id ID</c>), newest first.</summary>
    internal static List<string> SluiceMessageIds(HeaderList headers)
    {
        var ids = new List<string>();
        foreach (var header in headers)
        {
            if (header.Id != HeaderId.Received || !header.Value.Contains("(Sluice)", StringComparison.Ordinal))
            {
                continue;
            }

            var tokens = header.Value.Split([' ', '\t', '\r', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(tokens, "id");
            if (at >= 0 && at + 1 < tokens.Length)
            {
                ids.Add(tokens[at + 1]);
            }
        }

        return ids;
    }

    /// <summary>The address of an "rfc822; addr" field (RFC 3464 §2.3.2, RFC 5965 §3.2), or of a plain or bracketed one.</summary>
    private static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }

        var value = field.Trim();
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0)
        {
            value = value[(semicolon + 1)..].Trim();
        }

        value = value.Trim('<', '>', ' ');
        return value.Length == 0 ? null : value;
    }
}
