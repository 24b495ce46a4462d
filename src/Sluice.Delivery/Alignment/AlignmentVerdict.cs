namespace Sluice.Delivery.Alignment;

/// <summary>
/// Whether DMARC (RFC 7489) would pass for mail with this From domain: DKIM aligns when the node
/// signs it with a key for the From domain's organization, SPF when the envelope (return-path)
/// domain shares that organization; <see cref="Dmarc"/> is the From domain's published policy
/// (reject, quarantine, none, absent).
/// </summary>
public sealed record AlignmentVerdict(string FromDomain, string EnvelopeDomain, bool Dkim, bool Spf, string Dmarc)
{
    public bool Aligned => Dkim || Spf;

    public string Describe()
        => $"From domain {FromDomain}: not DKIM-signed for it by this node, and the return path domain {EnvelopeDomain} is not of its organization; DMARC p={Dmarc}"
           + (Dmarc is "reject" or "quarantine" ? $": receivers will {(Dmarc == "reject" ? "reject" : "junk")} this mail" : string.Empty);
}
