namespace Sluice.Delivery.Shaping;

/// <summary>
/// A reply-driven shaping rule as written in a rules file (<c>Delivery:ReplyRulesFile</c>, or the
/// built-in <c>reply-rules.json</c>): when a site whose MX hosts all end with one of
/// <see cref="MxSuffixes"/> (any site when empty) answers with a reply matching <see cref="Status"/>,
/// <see cref="Codes"/> and <see cref="Pattern"/> (as bounce rules match), <see cref="Action"/> is
/// taken on that site × source for <see cref="Duration"/>, then undone by itself.
/// </summary>
public sealed class ReplyRule
{
    public string Name { get; set; } = string.Empty;

    public List<string> MxSuffixes { get; set; } = [];

    public List<string> Status { get; set; } = [];

    public List<int> Codes { get; set; } = [];

    public string? Pattern { get; set; }

    public ReplyAction Action { get; set; }

    /// <summary>ReduceRate: the messages per second to keep to.</summary>
    public double? MaxMessageRate { get; set; }

    /// <summary>ReduceConnections: the connections to keep to.</summary>
    public int? MaxConnections { get; set; }

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(30);
}
