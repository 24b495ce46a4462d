namespace Sluice.Smtp;

/// <summary>An RFC 3463 enhanced mail system status code, <c>class.subject.detail</c>.</summary>
public readonly record struct EnhancedStatusCode(byte Class, short Subject, short Detail)
{
    /// <summary>
    /// Reads <paramref name="text"/> as a status code by RFC 3463 §2's grammar: class one digit,
    /// 2, 4 or 5; subject and detail one to three digits. With <paramref name="replyCode"/> (not
    /// 0) the class must also be the reply's first digit (RFC 2034 §4). Anything else is reply
    /// text, not a status: a next hop's "421 435.7.0 …" must not be read as one (nor throw).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, int replyCode, out EnhancedStatusCode status)
    {
        status = default;
        if (text.Length < 5 || text[1] != '.' || text[0] is not ('2' or '4' or '5') || (replyCode != 0 && text[0] - '0' != replyCode / 100))
        {
            return false;
        }

        var rest = text[2..];
        var dot = rest.IndexOf('.');
        if (dot < 0 || !TryNumber(rest[..dot], out var subject) || !TryNumber(rest[(dot + 1)..], out var detail))
        {
            return false;
        }

        status = new EnhancedStatusCode((byte)(text[0] - '0'), subject, detail);
        return true;
    }

    public override string ToString() => $"{Class}.{Subject}.{Detail}";

    private static bool TryNumber(ReadOnlySpan<char> digits, out short value)
    {
        value = 0;
        if (digits.Length is < 1 or > 3)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (short)((value * 10) + (c - '0'));
        }

        return true;
    }
}
