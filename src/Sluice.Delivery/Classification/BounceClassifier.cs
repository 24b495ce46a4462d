using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Sluice.Smtp;

namespace Sluice.Delivery.Classification;

/// <summary>
/// Maps a failure reply to a <see cref="BounceCategory"/>: user rules first (from
/// <c>Delivery:BounceRulesFile</c>), then the built-in rules shipped as <c>bounce-rules.json</c>;
/// the first rule whose every condition holds wins. Regular expressions are built once; a match timeout guards against pathological user patterns.
/// </summary>
public sealed class BounceClassifier
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly List<CompiledRule> _rules;

    public BounceClassifier(IEnumerable<BounceRule> userRules)
    {
        _rules = [.. userRules.Concat(BuiltIn()).Select(Compile)];
    }

    public static IReadOnlyList<BounceRule> BuiltIn()
    {
        using var stream = typeof(BounceClassifier).Assembly.GetManifestResourceStream("Sluice.Delivery.Classification.bounce-rules.json")
            ?? throw new InvalidOperationException("built-in bounce rules are missing from the assembly");
        return JsonSerializer.Deserialize<List<BounceRule>>(stream, Json) ?? [];
    }

    /// <summary>Reads a user rules file; throws <see cref="FormatException"/> naming the problem.</summary>
    public static IReadOnlyList<BounceRule> Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var rules = JsonSerializer.Deserialize<List<BounceRule>>(stream, Json) ?? [];
            foreach (var rule in rules)
            {
                Compile(rule);
            }

            return rules;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or IOException)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
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

    private static CompiledRule Compile(BounceRule rule)
        => new(
            rule.Category,
            [.. rule.Status],
            [.. rule.Codes],
            rule.Pattern is null ? null : new Regex(rule.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));

    private sealed record CompiledRule(BounceCategory Category, string[] Status, int[] Codes, Regex? Pattern)
    {
        public bool Matches(int code, string? status, string text)
        {
            if (Status.Length == 0 && Codes.Length == 0 && Pattern is null)
            {
                return false;
            }

            if (Status.Length > 0 && (status is null || !Status.Any(s => s.EndsWith('.') ? status.StartsWith(s, StringComparison.Ordinal) : status == s)))
            {
                return false;
            }

            if (Codes.Length > 0 && !Codes.Contains(code))
            {
                return false;
            }

            try
            {
                return Pattern is null || Pattern.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
