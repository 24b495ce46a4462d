using System.Text.RegularExpressions;
using MimeKit;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// The common non-standard bounces: RFC 3464 was never universal, and qmail, old Exchange, Exim's
/// text and many appliances send a plain text that names the failed address and quotes the remote
/// reply (<c>550 5.1.1 …</c>, <c>(#5.1.1)</c>). A message that says it is a bounce (from the mailer
/// daemon or postmaster, or a subject such as "Undeliverable" or "failure notice") is read line by
/// line: each reply code or status is paired with the nearest address before it; the Received lines a
/// Sluice wrote in the quoted copy name the message. The classification rules judge the quoted reply
/// as they judge a DSN's. Reports are rare: regular expressions here cost nothing that matters.
/// </summary>
internal static partial class PlainBounce
{
    private const int MaxRecipients = 100;

    public static IReadOnlyList<FeedbackReport> Parse(MimeMessage message)
    {
        if (!LooksLikeABounce(message) || message.TextBody is not { Length: > 0 } text)
        {
            return [];
        }

        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var mailbox in message.From.Mailboxes.Concat(message.To.Mailboxes))
        {
            own.Add(mailbox.Address);
        }

        var ids = new List<string>();
        foreach (Match m in SluiceReceived().Matches(text))
        {
            ids.Add(m.Groups["id"].Value);
        }

        foreach (var part in message.BodyParts)
        {
            if (part is MessagePart { Message: { } quoted })
            {
                ids.AddRange(FeedbackParser.SluiceMessageIds(quoted.Headers));
            }
        }

        var reportingMta = message.From.Mailboxes.FirstOrDefault()?.Domain is { Length: > 0 } domain ? "dns; " + domain : null;
        var reports = new List<FeedbackReport>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? address = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (Address().Match(line) is { Success: true } a && !own.Contains(a.Groups["address"].Value) && !line.Contains("(Sluice)", StringComparison.Ordinal))
            {
                address = a.Groups["address"].Value;
            }

            if (address is null || seen.Contains(address) || Reply().Match(line) is not { Success: true } reply)
            {
                continue;
            }

            var status = reply.Groups["status"].Success ? reply.Groups["status"].Value : reply.Groups["qmail"].Success ? reply.Groups["qmail"].Value : null;
            var code = reply.Groups["code"].Success ? reply.Groups["code"].Value : status is not null ? (status[0] == '5' ? "550" : "450") : null;
            if (code is null || code[0] == '2')
            {
                continue;
            }

            seen.Add(address);
            reports.Add(new FeedbackReport(FeedbackKind.Bounce, ids, address, null, null, status, "smtp; " + Diagnostic(line, code, status), reportingMta));
            if (reports.Count == MaxRecipients)
            {
                break;
            }
        }

        return reports;
    }

    /// <summary>The quoted reply as "CODE STATUS text", whatever shape the line had.</summary>
    private static string Diagnostic(string line, string code, string? status)
    {
        var at = line.IndexOf(code, StringComparison.Ordinal);
        return at >= 0 ? line[at..] : $"{code} {status} {line}";
    }

    private static bool LooksLikeABounce(MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault()?.LocalPart ?? string.Empty;
        return from.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase)
            || from.Equals("postmaster", StringComparison.OrdinalIgnoreCase)
            || from.Equals("mail-daemon", StringComparison.OrdinalIgnoreCase)
            || BounceSubject().IsMatch(message.Subject ?? string.Empty);
    }

    [GeneratedRegex(@"undeliver|failure notice|delivery (status notification|failure|has failed)|returned mail|mail delivery failed|non.?delivery|could not be delivered", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"<?(?<address>[A-Za-z0-9._%+=\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+)>?", RegexOptions.CultureInvariant)]
    private static partial Regex Address();

    // "550 5.1.1 …", "550-5.1.1 …", "#550 5.1.1 …", "550 User unknown", or qmail's "(#5.1.1)".
    [GeneratedRegex(@"(?:^|[\s#:])(?<code>[245]\d\d)(?:[ \-](?<status>[245]\.\d{1,3}\.\d{1,3}))?\b|\(#(?<qmail>[245]\.\d{1,3}\.\d{1,3})\)", RegexOptions.CultureInvariant)]
    private static partial Regex Reply();

    [GeneratedRegex(@"\(Sluice\) with \S+ id (?<id>[^\s;]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SluiceReceived();
}
