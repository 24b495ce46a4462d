namespace Sluice.Smtp;

public enum ReplyParseStatus
{
    Complete,
    NeedMore,

    /// <summary>Not an SMTP reply: the connection cannot be trusted any more.</summary>
    Malformed,
}
