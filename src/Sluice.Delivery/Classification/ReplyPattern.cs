using System.Text.RegularExpressions;
using Sluice.Smtp;

namespace Sluice.Delivery.Classification;

/// <summary>
/// The conditions a rule puts on a reply, as the bounce rules and the reply-driven shaping rules
/// write them: enhanced status codes exactly ("5.1.1") or by prefix ("4.7."), three-digit codes, and
/// a case-insensitive regular expression over the text (built once, with a match timeout against
/// pathological user patterns). Every condition given must hold; none given matches nothing.
/// </summary>
public sealed class ReplyPattern
{
    private readonly string[] _status;
    private readonly int[] _codes;
    private readonly Regex? _pattern;

    /// <summary>Builds the pattern; throws <see cref="ArgumentException"/> for a regular expression that does not parse.</summary>
    public ReplyPattern(IEnumerable<string> status, IEnumerable<int> codes, string? pattern)
    {
        _status = [.. status];
        _codes = [.. codes];
        _pattern = pattern is null ? null : new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public bool Matches(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Matches(reply.Code, reply.Status?.ToString(), reply.Text);
    }

    public bool Matches(int code, string? status, string text)
    {
        if (_status.Length == 0 && _codes.Length == 0 && _pattern is null)
        {
            return false;
        }

        if (_status.Length > 0 && (status is null || !MatchesStatus(status)))
        {
            return false;
        }

        if (_codes.Length > 0 && Array.IndexOf(_codes, code) < 0)
        {
            return false;
        }

        try
        {
            return _pattern is null || _pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private bool MatchesStatus(string status)
    {
        foreach (var s in _status)
        {
            if (s.EndsWith('.') ? status.StartsWith(s, StringComparison.Ordinal) : status == s)
            {
                return true;
            }
        }

        return false;
    }
}
