using System.Text;

namespace Sluice.Smtp;

/// <summary>
/// Parses the arguments of <c>MAIL FROM:</c> and <c>RCPT TO:</c> (RFC 5321 §4.1.1.2–3):
/// the path in angle brackets, then space-separated ESMTP parameters.
/// </summary>
public static class SmtpPathParser
{
    public static PathStatus TryParse(
        ReadOnlySpan<byte> arguments,
        ReadOnlySpan<byte> prefix,
        bool isReversePath,
        bool utf8Transaction,
        out SmtpPathCommand? command)
    {
        command = null;
        if (arguments.Length < prefix.Length || !Ascii.EqualsIgnoreCase(arguments[..prefix.Length], prefix))
        {
            return PathStatus.SyntaxError;
        }

        var rest = arguments[prefix.Length..];

        // RFC 5321 allows no space after the colon, but enough clients send one that refusing helps nobody.
        while (!rest.IsEmpty && rest[0] == (byte)' ')
        {
            rest = rest[1..];
        }

        if (rest.IsEmpty || rest[0] != (byte)'<')
        {
            return PathStatus.SyntaxError;
        }

        var close = rest.IndexOf((byte)'>');
        if (close < 0)
        {
            return PathStatus.SyntaxError;
        }

        var path = rest[1..close];
        var parameterText = rest[(close + 1)..];
        if (!parameterText.IsEmpty && parameterText[0] != (byte)' ')
        {
            return PathStatus.SyntaxError;
        }

        if (!TryParseParameters(parameterText, out var parameters))
        {
            return PathStatus.ParameterSyntax;
        }

        var allowUtf8 = utf8Transaction || HasKeyword(parameters, "SMTPUTF8");
        if (path.IsEmpty)
        {
            if (!isReversePath)
            {
                return PathStatus.SyntaxError;
            }

            command = new SmtpPathCommand(string.Empty, false, parameters);
            return PathStatus.Ok;
        }

        if (path.Length > AddressSyntax.MaxPath)
        {
            return PathStatus.TooLong;
        }

        // An obsolete source route (<@a,@b:user@host>) must be accepted and its route ignored (RFC 5321 §4.1.2, C.).
        var sourceRoute = path[0] == (byte)'@';
        if (sourceRoute)
        {
            var colon = path.IndexOf((byte)':');
            if (colon < 0)
            {
                return PathStatus.SyntaxError;
            }

            path = path[(colon + 1)..];
        }

        // RFC 5321 §4.5.1: "Postmaster" with no domain must be accepted as a recipient.
        if (!isReversePath && Ascii.EqualsIgnoreCase(path, "postmaster"u8))
        {
            command = new SmtpPathCommand("postmaster", false, parameters);
            return PathStatus.Ok;
        }

        var status = AddressSyntax.ValidateMailbox(path, allowUtf8, out var isUtf8);
        if (status != PathStatus.Ok)
        {
            return status;
        }

        command = new SmtpPathCommand(Encoding.UTF8.GetString(path), isUtf8, parameters) { HadSourceRoute = sourceRoute };
        return PathStatus.Ok;
    }

    private static bool HasKeyword(List<SmtpParameter> parameters, string keyword)
    {
        foreach (var p in parameters)
        {
            if (p.Keyword == keyword)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseParameters(ReadOnlySpan<byte> text, out List<SmtpParameter> parameters)
    {
        parameters = [];
        while (!text.IsEmpty)
        {
            if (text[0] == (byte)' ')
            {
                text = text[1..];
                continue;
            }

            var end = text.IndexOf((byte)' ');
            var item = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[end..];

            var eq = item.IndexOf((byte)'=');
            var keyword = eq < 0 ? item : item[..eq];
            if (keyword.IsEmpty || !IsKeyword(keyword))
            {
                return false;
            }

            string? value = null;
            if (eq >= 0)
            {
                var raw = item[(eq + 1)..];

                // esmtp-value = 1*(%d33-60 / %d62-126), UTF-8 allowed under RFC 6531.
                if (raw.IsEmpty || raw.IndexOfAnyInRange((byte)0, (byte)32) >= 0 || raw.Contains((byte)'=') || raw.Contains((byte)127))
                {
                    return false;
                }

                value = Encoding.UTF8.GetString(raw);
            }

            parameters.Add(new SmtpParameter(Encoding.ASCII.GetString(keyword).ToUpperInvariant(), value));
        }

        return true;
    }

    private static bool IsKeyword(ReadOnlySpan<byte> keyword)
    {
        if (!char.IsAsciiLetterOrDigit((char)keyword[0]))
        {
            return false;
        }

        foreach (var c in keyword)
        {
            if (!char.IsAsciiLetterOrDigit((char)c) && c != (byte)'-')
            {
                return false;
            }
        }

        return true;
    }
}
