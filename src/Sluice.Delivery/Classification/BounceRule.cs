namespace Sluice.Delivery.Classification;

/// <summary>
/// One classification rule as written in a rules file. Every condition given must hold; a rule
/// with none matches nothing. <see cref="Status"/> entries match an enhanced code exactly
/// ("5.1.1") or by prefix ("5.1."); <see cref="Codes"/> match the three-digit reply code;
/// <see cref="Pattern"/> is a case-insensitive regular expression over the reply text.
/// </summary>
public sealed class BounceRule
{
    public BounceCategory Category { get; set; } = BounceCategory.Other;

    public List<string> Status { get; set; } = [];

    public List<int> Codes { get; set; } = [];

    public string? Pattern { get; set; }
}
