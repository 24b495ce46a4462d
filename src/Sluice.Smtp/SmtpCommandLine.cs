using System.Text;

namespace Sluice.Smtp;

/// <summary>Splits a command line into its verb and argument text without allocating.</summary>
public static class SmtpCommandLine
{
    public static SmtpVerb ParseVerb(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> arguments)
    {
        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        arguments = space < 0 ? [] : TrimStart(line[(space + 1)..]);
        return Classify(verb);
    }

    private static SmtpVerb Classify(ReadOnlySpan<byte> verb)
    {
        if (verb.Length == 4)
        {
            // Fold ASCII letters to upper case in one go: verbs are case-insensitive (RFC 5321 §2.4).
            var word = (uint)(verb[0] << 24 | verb[1] << 16 | verb[2] << 8 | verb[3]) & 0xDFDFDFDF;
            return word switch
            {
                0x45484C4F => SmtpVerb.Ehlo,
                0x48454C4F => SmtpVerb.Helo,
                0x4D41494C => SmtpVerb.Mail,
                0x52435054 => SmtpVerb.Rcpt,
                0x44415441 => SmtpVerb.Data,
                0x42444154 => SmtpVerb.Bdat,
                0x52534554 => SmtpVerb.Rset,
                0x4E4F4F50 => SmtpVerb.Noop,
                0x51554954 => SmtpVerb.Quit,
                0x48454C50 => SmtpVerb.Help,
                0x56524659 => SmtpVerb.Vrfy,
                0x4558504E => SmtpVerb.Expn,
                0x41555448 => SmtpVerb.Auth,
                0x504F5354 => SmtpVerb.Http, // POST
                0x48454144 => SmtpVerb.Http, // HEAD
                _ => SmtpVerb.Unknown,
            };
        }

        if (Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8))
        {
            return SmtpVerb.StartTls;
        }

        if (Ascii.EqualsIgnoreCase(verb, "GET"u8) || Ascii.EqualsIgnoreCase(verb, "PUT"u8)
            || Ascii.EqualsIgnoreCase(verb, "CONNECT"u8) || Ascii.EqualsIgnoreCase(verb, "DELETE"u8)
            || Ascii.EqualsIgnoreCase(verb, "OPTIONS"u8))
        {
            return SmtpVerb.Http;
        }

        return SmtpVerb.Unknown;
    }

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length && span[i] == (byte)' ')
        {
            i++;
        }

        return span[i..];
    }
}
