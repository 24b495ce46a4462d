namespace Sluice.Smtp;

public enum PathStatus
{
    Ok,

    /// <summary>Not a path at all, or a malformed parameter list (501 5.5.2 / 5.1.7 / 5.1.3).</summary>
    SyntaxError,

    /// <summary>The path is fine but a parameter is malformed (501 5.5.4).</summary>
    ParameterSyntax,

    /// <summary>Non-ASCII characters in an address without the SMTPUTF8 parameter (RFC 6531 §3.4: 553 5.6.7).</summary>
    NeedsSmtpUtf8,

    /// <summary>Local part over 64 octets, domain over 255 or path over 256 (RFC 5321 §4.5.3.1).</summary>
    TooLong,
}
