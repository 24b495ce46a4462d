using Sluice.Smtp;

namespace Sluice.Delivery.Classification;

/// <summary>
/// Maps a failure reply to a <see cref="BounceCategory"/>: user rules first (from
/// <c>Delivery:BounceRulesFile</c>), then the built-in rules shipped as <c>bounce-rules.json</c>;
/// the first rule whose every condition holds wins. Regular expressions are built once; a match timeout guards against pathological user patterns.
/// </summary>
public sealed class BounceClassifier
{
    private readonly List<CompiledRule> _rules;

    public BounceClassifier(IEnumerable<BounceRule> userRules)
    {
        _rules = [.. userRules.Concat(BuiltIn()).Select(Compile)];
    }

    public static IReadOnlyList<BounceRule> BuiltIn() => RulesFile.ReadEmbedded<BounceRule>("Sluice.Delivery.Classification.bounce-rules.json");

    /// <summary>Reads a user rules file; throws <see cref="FormatException"/> naming the problem.</summary>
    public static IReadOnlyList<BounceRule> Load(string path)
    {
        var rules = RulesFile.Read<BounceRule>(path);
        try
        {
            foreach (var rule in rules)
            {
                Compile(rule);
            }
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }

        return rules;
    }

    public BounceCategory Classify(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsPositive)
        {
            return BounceCategory.None;
        }

        var status = reply.Status?.ToString();
        foreach (var rule in _rules)
        {
            if (rule.Matches(reply.Code, status, reply.Text))
            {
                return rule.Category;
            }
        }

        return BounceCategory.Other;
    }

    private static CompiledRule Compile(BounceRule rule) => new(rule.Category, new ReplyPattern(rule.Status, rule.Codes, rule.Pattern));

    private sealed record CompiledRule(BounceCategory Category, ReplyPattern Pattern)
    {
        public bool Matches(int code, string? status, string text) => Pattern.Matches(code, status, text);
    }
}
