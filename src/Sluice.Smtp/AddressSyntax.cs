
namespace Sluice.Smtp;

/// <summary>RFC 5321 §4.1.2 mailbox syntax, with RFC 6531 UTF-8 where allowed.</summary>
public static class AddressSyntax
{
    public const int MaxLocalPart = 64;
    public const int MaxDomain = 255;
    public const int MaxPath = 256;

    /// <summary>Checks a <c>Mailbox</c> (local@domain), without angle brackets.</summary>
    public static PathStatus ValidateMailbox(ReadOnlySpan<byte> mailbox, bool allowUtf8, out bool isUtf8)
    {
        isUtf8 = false;
        var at = mailbox.LastIndexOf((byte)'@');
        if (at <= 0 || at == mailbox.Length - 1)
        {
            return PathStatus.SyntaxError;
        }

        var local = mailbox[..at];
        var domain = mailbox[(at + 1)..];
        if (local.Length > MaxLocalPart || domain.Length > MaxDomain)
        {
            return PathStatus.TooLong;
        }

        if (!ValidateLocalPart(local, ref isUtf8) || !ValidateDomainOrLiteral(domain, ref isUtf8))
        {
            return PathStatus.SyntaxError;
        }

        if (isUtf8 && (!allowUtf8 || !System.Text.Unicode.Utf8.IsValid(mailbox)))
        {
            return allowUtf8 ? PathStatus.SyntaxError : PathStatus.NeedsSmtpUtf8;
        }

        return PathStatus.Ok;
    }

    /// <summary>A domain name as used in EHLO and in addresses: LDH labels, or UTF-8 U-labels when flagged.</summary>
    public static bool IsDomain(ReadOnlySpan<byte> domain, ref bool isUtf8)
    {
        if (domain.IsEmpty || domain.Length > MaxDomain)
        {
            return false;
        }

        var labelStart = 0;
        for (var i = 0; i <= domain.Length; i++)
        {
            if (i == domain.Length || domain[i] == (byte)'.')
            {
                var label = domain[labelStart..i];
                if (label.IsEmpty || label.Length > 63 || label[0] == (byte)'-' || label[^1] == (byte)'-')
                {
                    return false;
                }

                labelStart = i + 1;
                continue;
            }

            var c = domain[i];
            if (c >= 0x80)
            {
                isUtf8 = true;
            }
            else if (!IsLetDig(c) && c != (byte)'-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An address literal, <c>[1.2.3.4]</c> or <c>[IPv6:…]</c> (RFC 5321 §4.1.3).</summary>
    public static bool IsAddressLiteral(ReadOnlySpan<byte> literal)
    {
        if (literal.Length < 3 || literal[0] != (byte)'[' || literal[^1] != (byte)']')
        {
            return false;
        }

        var inner = literal[1..^1];
        Span<char> chars = stackalloc char[inner.Length];
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] >= 0x80)
            {
                return false;
            }

            chars[i] = (char)inner[i];
        }

        if (chars.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return System.Net.IPAddress.TryParse(chars[5..], out var v6)
                && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return System.Net.IPAddress.TryParse(chars, out var v4)
            && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && chars.Count('.') == 3;
    }

    private static bool ValidateDomainOrLiteral(ReadOnlySpan<byte> domain, ref bool isUtf8)
        => domain[0] == (byte)'[' ? IsAddressLiteral(domain) : IsDomain(domain, ref isUtf8);

    private static bool ValidateLocalPart(ReadOnlySpan<byte> local, ref bool isUtf8)
    {
        if (local[0] == (byte)'"')
        {
            return ValidateQuotedString(local, ref isUtf8);
        }

        // Dot-string = Atom *("." Atom): no leading, trailing or doubled dots.
        if (local[0] == (byte)'.' || local[^1] == (byte)'.')
        {
            return false;
        }

        var previousDot = false;
        foreach (var c in local)
        {
            if (c == (byte)'.')
            {
                if (previousDot)
                {
                    return false;
                }

                previousDot = true;
                continue;
            }

            previousDot = false;
            if (c >= 0x80)
            {
                isUtf8 = true;
            }
            else if (!IsAtext(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValidateQuotedString(ReadOnlySpan<byte> local, ref bool isUtf8)
    {
        if (local.Length < 2 || local[^1] != (byte)'"')
        {
            return false;
        }

        var inner = local[1..^1];
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c == (byte)'\\')
            {
                // quoted-pairSMTP = %d92 %d32-126
                if (++i >= inner.Length || inner[i] < 32 || inner[i] > 126)
                {
                    return false;
                }

                continue;
            }

            if (c >= 0x80)
            {
                isUtf8 = true;
            }
            else if (c is < 32 or > 126 || c == (byte)'"')
            {
                // qtextSMTP = %d32-33 / %d35-91 / %d93-126
                return false;
            }
        }

        return true;
    }

    private static bool IsLetDig(byte c)
        => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9';

    // RFC 5322 §3.2.3 atext.
    private static bool IsAtext(byte c)
        => IsLetDig(c) || c is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\''
            or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'/' or (byte)'=' or (byte)'?' or (byte)'^'
            or (byte)'_' or (byte)'`' or (byte)'{' or (byte)'|' or (byte)'}' or (byte)'~';
}
