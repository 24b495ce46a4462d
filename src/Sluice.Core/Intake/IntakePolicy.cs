using Sluice.Core.Messages;
using Sluice.Core.State;
using Sluice.Smtp;

namespace Sluice.Core.Intake;

/// <summary>
/// Acceptance policy, the same for every way in: the relay decision, the suppression list and (for
/// API keys that ask for it) whether the recipient's domain takes mail at all.
/// </summary>
public sealed class IntakePolicy
{
    /// <summary>RFC 3463 5.7.1: delivery not authorized.</summary>
    public static readonly SmtpReply RelayDenied = SmtpReply.Create(554, "5.7.1", "Relay access denied");

    private readonly HashSet<string> _localDomains;
    private readonly SuppressionList? _suppressions;
    private readonly IRecipientDomainCheck? _domains;
    private readonly TimeProvider _time;

    public IntakePolicy(IEnumerable<string> localDomains, SuppressionList? suppressions, IRecipientDomainCheck? domains, TimeProvider time)
    {
        _localDomains = new HashSet<string>(localDomains, StringComparer.OrdinalIgnoreCase);
        _suppressions = suppressions;
        _domains = domains;
        _time = time;
    }

    /// <summary>A policy with no local domains, suppressions or domain checks (a sink, a test).</summary>
    public static IntakePolicy Open(TimeProvider time) => new([], null, null, time);

    /// <summary>The relay decision, then the suppression list: from memory, for RCPT.</summary>
    public RecipientRefusal? Check(string sender, EnvelopeRecipient recipient, bool mayRelay, bool sourceRouted)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (!mayRelay && !IsLocal(recipient, sourceRouted))
        {
            return new RecipientRefusal(recipient.Address, RefusalCause.RelayDenied, "relay access denied", RelayDenied);
        }

        return Suppressed(sender, recipient.Address);
    }

    /// <summary>For the API (whose keys may send anywhere): the suppression list, then the domain when <paramref name="strict"/>.</summary>
    public async ValueTask<RecipientRefusal?> CheckAsync(string sender, EnvelopeRecipient recipient, bool strict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (Suppressed(sender, recipient.Address) is { } suppressed)
        {
            return suppressed;
        }

        return strict && _domains is not null
            ? await _domains.CheckAsync(recipient.Address, recipient.Domain, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private RecipientRefusal? Suppressed(string sender, string address)
    {
        if (_suppressions?.Find(address, sender, _time.GetUtcNow()) is not { } hit)
        {
            return null;
        }

        var reason = hit.Reason.ToString().ToLowerInvariant();
        return new RecipientRefusal(
            address,
            RefusalCause.Suppressed,
            $"suppressed ({reason})",
            new SmtpReply(550, new EnhancedStatusCode(5, 7, 1), $"Recipient <{address}> is on the suppression list ({reason})"));
    }

    /// <summary>
    /// Local domains (and bare postmaster, RFC 5321 §4.5.1) are open to all. Sender-specified routing
    /// through a local domain (<c>user%other@local</c>, <c>other!user@local</c>, <c>"user@other"@local</c>,
    /// a source route) counts as relaying, as Postfix's <c>allow_untrusted_routing = no</c> has it: a
    /// next hop could pass it on unchanged.
    /// </summary>
    private bool IsLocal(EnvelopeRecipient recipient, bool sourceRouted)
    {
        var domain = recipient.Domain;
        return domain.Length == 0 || (_localDomains.Contains(domain) && !sourceRouted && !HasRouting(recipient.Address));
    }

    /// <summary>A local part that names another destination: <c>%</c> or <c>!</c> routing, or an <c>@</c> inside quotes.</summary>
    private static bool HasRouting(string address)
    {
        var at = address.LastIndexOf('@');
        return at > 0 && address.AsSpan(0, at).IndexOfAny('%', '!', '@') >= 0;
    }
}
