namespace Sluice.Smtp;

public enum SmtpVerb
{
    Unknown,
    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Help,
    Vrfy,
    Expn,
    StartTls,
    Auth,

    /// <summary>An HTTP method as the verb: a browser or a cross-protocol attack, not a mail client.</summary>
    Http,
}
