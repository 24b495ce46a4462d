using Sluice.Delivery.Classification;
using Sluice.Delivery.Dns;
using Sluice.Smtp;

namespace Sluice.Delivery.Shaping;

/// <summary>
/// The reply-driven shaping rules in force: the user's (<c>Delivery:ReplyRulesFile</c>, reloaded with
/// the delivery policy) first, then the built-in set for the large providers
/// (<c>Delivery:BuiltInReplyRules</c>). The first rule whose site and reply conditions hold wins.
/// Consulted only for replies that were not a success, so its regular expressions stay off the hot path.
/// </summary>
public sealed class ReplyRules
{
    private static readonly Lazy<List<ReplyRule>> BuiltInRules = new(ReadBuiltIn);

    private readonly (ReplyRule Rule, ReplyPattern Pattern)[] _rules;

    public ReplyRules(IEnumerable<ReplyRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules.Select(r => (r, new ReplyPattern(r.Status, r.Codes, r.Pattern)))];
    }

    public static ReplyRules None { get; } = new([]);

    public int Count => _rules.Length;

    /// <summary>The built-in rules, read from the assembly once.</summary>
    public static IReadOnlyList<ReplyRule> BuiltIn() => BuiltInRules.Value;

    private static List<ReplyRule> ReadBuiltIn() => RulesFile.ReadEmbedded<ReplyRule>("Sluice.Delivery.Shaping.reply-rules.json");

    /// <summary>Reads a user rules file; throws <see cref="FormatException"/> naming the file, the rule and the problem.</summary>
    public static IReadOnlyList<ReplyRule> Load(string path)
    {
        var rules = RulesFile.Read<ReplyRule>(path);

        for (var i = 0; i < rules.Count; i++)
        {
            if (Problem(rules[i]) is { } problem)
            {
                throw new FormatException($"{path}: rule {i} ({(rules[i].Name.Length > 0 ? rules[i].Name : "unnamed")}): {problem}");
            }
        }

        return rules;
    }

    /// <summary>What is wrong with a rule, or null.</summary>
    public static string? Problem(ReplyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Status.Count == 0 && rule.Codes.Count == 0 && rule.Pattern is null)
        {
            return "set status, codes or pattern (a rule with no condition matches nothing)";
        }

        if (rule.Duration <= TimeSpan.Zero || rule.Duration > TimeSpan.FromDays(7))
        {
            return "duration must be longer than zero and at most 7 days";
        }

        if (rule.Action == ReplyAction.ReduceRate && rule.MaxMessageRate is not > 0)
        {
            return "ReduceRate needs maxMessageRate, messages per second greater than zero";
        }

        if (rule.Action == ReplyAction.ReduceConnections && rule.MaxConnections is not >= 1)
        {
            return "ReduceConnections needs maxConnections, 1 or more";
        }

        try
        {
            _ = new ReplyPattern(rule.Status, rule.Codes, rule.Pattern);
        }
        catch (ArgumentException ex)
        {
            return "pattern: " + ex.Message;
        }

        return null;
    }

    /// <summary>The first rule for a site with <paramref name="hosts"/> that <paramref name="reply"/> matches, or null.</summary>
    public ReplyRule? Match(IReadOnlyList<MxHost> hosts, SmtpReply reply)
    {
        foreach (var (rule, pattern) in _rules)
        {
            if ((rule.MxSuffixes.Count == 0 || MxSuffixes.MatchAll(rule.MxSuffixes, hosts)) && pattern.Matches(reply))
            {
                return rule;
            }
        }

        return null;
    }
}
