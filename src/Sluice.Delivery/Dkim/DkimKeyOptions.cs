namespace Sluice.Delivery.Dkim;

/// <summary>
/// One signing key (<c>Dkim:Keys:N</c>): the signing domain (d=), the selector (s=), the PEM private
/// key (RSA, 2048 bits or more, or Ed25519 per RFC 8463; the algorithm follows the key), the header
/// fields signed, and the canonicalisation. Two keys for one domain sign twice (RSA and Ed25519).
/// </summary>
public sealed class DkimKeyOptions
{
    public string Domain { get; set; } = string.Empty;

    public string Selector { get; set; } = string.Empty;

    public string KeyFile { get; set; } = string.Empty;

    /// <summary>The header fields signed when present (RFC 6376 §5.4.1 recommends these).</summary>
    public List<string> Headers { get; set; } = [];

    /// <summary><c>relaxed/relaxed</c> (default), <c>simple/simple</c>, <c>relaxed/simple</c> or <c>simple/relaxed</c>: header/body (RFC 6376 §3.4).</summary>
    public string Canonicalization { get; set; } = "relaxed/relaxed";
}
