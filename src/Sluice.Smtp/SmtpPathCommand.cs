namespace Sluice.Smtp;

/// <summary>
/// The parsed argument of MAIL FROM or RCPT TO: the address (empty for the null reverse-path
/// <c>&lt;&gt;</c>), whether it holds non-ASCII text, and the ESMTP parameters in order.
/// </summary>
public sealed record SmtpPathCommand(string Address, bool IsUtf8, IReadOnlyList<SmtpParameter> Parameters)
{
    /// <summary>The path came with an obsolete source route (<c>&lt;@a,@b:user@host&gt;</c>), which was dropped.</summary>
    public bool HadSourceRoute { get; init; }

    public string? Find(string keyword, out bool present)
    {
        foreach (var p in Parameters)
        {
            if (string.Equals(p.Keyword, keyword, StringComparison.Ordinal))
            {
                present = true;
                return p.Value;
            }
        }

        present = false;
        return null;
    }
}
