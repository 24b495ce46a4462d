using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MimeKit;
using Sluice.Core.Events;
using Sluice.Core.Intake;
using Sluice.Core.Messages;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.Alignment;

/// <summary>
/// DKIM/SPF/DMARC alignment of the From domain, judged at intake as a warning, never a refusal:
/// every stored message is counted (<c>sluice.intake.alignment</c>), and one that neither DKIM nor
/// SPF would align gets an <c>unaligned</c> event naming the From domain's DMARC policy. The
/// verdict per From domain × envelope domain × signed is kept ten minutes; the DMARC lookup runs off
/// the intake path (the first message of a pair is judged when the answer comes).
/// </summary>
public sealed partial class AlignmentCheck(
    MxResolver dns,
    PublicSuffixList suffixes,
    string? returnPathDomain,
    DeliveryEventLog events,
    SluiceMetrics metrics,
    TimeProvider time,
    ILogger logger) : IAlignmentCheck
{
    private const int MaxVerdicts = 10_000;
    private static readonly SearchValues<char> NotSimple = SearchValues.Create(" ,;:()\\\"<>");
    private static readonly TimeSpan VerdictLife = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(string From, string Envelope, bool Signed), (AlignmentVerdict Verdict, DateTimeOffset Until)> _verdicts = new();
    private readonly LogGate<string> _warnings = new(time, TimeSpan.FromMinutes(10));

    public void Observe(Envelope envelope, MessageId id, string? fromHeader, bool dkimSigned)
    {
        ArgumentNullException.ThrowIfNull(envelope);

        // The null sender (bounces) and mail without a From address are not judged.
        if (envelope.Sender.Length == 0 || FromDomain(fromHeader) is not { } from)
        {
            return;
        }

        // With VERP return paths, the envelope domain receivers check SPF for is the return-path domain.
        var envelopeDomain = returnPathDomain ?? Shared(envelope.Sender.AsSpan(envelope.Sender.LastIndexOf('@') + 1));
        var key = (from, envelopeDomain, dkimSigned);
        if (_verdicts.TryGetValue(key, out var known) && known.Until > time.GetUtcNow())
        {
            Record(known.Verdict, envelope.Sender, id);
            return;
        }

        _ = JudgeAsync(key, envelope.Sender, id);
    }

    /// <summary>The From domain's DMARC policy: its own record, else its organization's (sp= for a subdomain); "absent" when neither has one, null when DNS failed.</summary>
    public async Task<string?> DmarcPolicyAsync(string fromDomain)
    {
        var organization = suffixes.OrganizationalDomain(fromDomain);
        if (Policy((await dns.TxtAsync("_dmarc." + fromDomain, CancellationToken.None).ConfigureAwait(false))?.Texts, subdomain: false) is { } own)
        {
            return own;
        }

        if (string.Equals(organization, fromDomain, StringComparison.OrdinalIgnoreCase))
        {
            return "absent";
        }

        var texts = (await dns.TxtAsync("_dmarc." + organization, CancellationToken.None).ConfigureAwait(false))?.Texts;
        return texts is null ? null : Policy(texts, subdomain: true) ?? "absent";
    }

    private async Task JudgeAsync((string From, string Envelope, bool Signed) key, string sender, MessageId id)
    {
        try
        {
            var dmarc = await DmarcPolicyAsync(key.From).ConfigureAwait(false) ?? "unknown";
            var verdict = new AlignmentVerdict(
                key.From,
                key.Envelope,
                key.Signed,
                string.Equals(suffixes.OrganizationalDomain(key.Envelope), suffixes.OrganizationalDomain(key.From), StringComparison.OrdinalIgnoreCase),
                dmarc);
            if (_verdicts.Count >= MaxVerdicts)
            {
                _verdicts.Clear();
            }

            _verdicts[key] = (verdict, time.GetUtcNow() + VerdictLife);
            Record(verdict, sender, id);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A warning that could not be judged is no reason to trouble the mail.
            if (_warnings.ShouldLog("failed:" + key.From, out _))
            {
                JudgeFailed(logger, key.From, ex);
            }
        }
    }

    private void Record(AlignmentVerdict verdict, string sender, MessageId id)
    {
        metrics.Alignment.Add(1, new KeyValuePair<string, object?>("result", verdict.Aligned ? "aligned" : "unaligned"), new KeyValuePair<string, object?>("dmarc", verdict.Dmarc));
        if (verdict.Aligned)
        {
            return;
        }

        var text = verdict.Describe();
        events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.Misalignment, id.Value, null, null, null, 0, text, "dmarc_" + verdict.Dmarc, null, Sender: sender));
        if (_warnings.ShouldLog(verdict.FromDomain, out var unlogged))
        {
            Unaligned(logger, verdict.FromDomain, text, unlogged);
        }
    }

    /// <summary>
    /// The From address's domain, as a shared string: the common shapes (<c>a@b</c>, <c>Name
    /// &lt;a@b&gt;</c>) read without allocating, anything else (groups, comments, several addresses)
    /// through MimeKit's address parser.
    /// </summary>
    private static string? FromDomain(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var span = header.AsSpan().Trim();
        var open = span.LastIndexOf('<');
        if (open >= 0 && span[^1] == '>')
        {
            span = span[(open + 1)..^1];
        }

        var at = span.LastIndexOf('@');
        if (at > 0 && at < span.Length - 1 && span.IndexOfAny(NotSimple) < 0)
        {
            return Shared(span[(at + 1)..]);
        }

        return InternetAddressList.TryParse(header, out var list) && list.Mailboxes.FirstOrDefault() is { Domain.Length: > 0 } mailbox
            ? Shared(mailbox.Domain)
            : null;
    }

    /// <summary>A domain as the shared lower-case string (no allocation once known); past the shared set's bound, a string of its own.</summary>
    private static string Shared(ReadOnlySpan<char> domain)
    {
        var shared = SenderDomains.OfDomain(domain);
        return ReferenceEquals(shared, SenderDomains.Other) ? domain.ToString().ToLowerInvariant() : shared;
    }

    /// <summary>The p= (or, for a subdomain, sp= then p=) of the one v=DMARC1 record, or null.</summary>
    private static string? Policy(IReadOnlyList<string>? texts, bool subdomain)
    {
        foreach (var text in texts ?? [])
        {
            if (!text.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string? p = null, sp = null;
            foreach (var tag in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (tag.StartsWith("p=", StringComparison.OrdinalIgnoreCase))
                {
                    p = tag[2..].ToLowerInvariant();
                }
                else if (tag.StartsWith("sp=", StringComparison.OrdinalIgnoreCase))
                {
                    sp = tag[3..].ToLowerInvariant();
                }
            }

            return (subdomain ? sp ?? p : p) ?? "none";
        }

        return null;
    }

    [LoggerMessage(EventId = 4500, Level = LogLevel.Warning, Message = "DMARC would fail for mail from {FromDomain}: {Details} ({Unlogged} more not logged)")]
    private static partial void Unaligned(ILogger logger, string fromDomain, string details, long unlogged);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Warning, Message = "Could not judge the DMARC alignment of mail from {FromDomain}")]
    private static partial void JudgeFailed(ILogger logger, string fromDomain, Exception exception);
}
