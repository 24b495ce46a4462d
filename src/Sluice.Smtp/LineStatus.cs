namespace Sluice.Smtp;

public enum LineStatus
{
    /// <summary>A whole CRLF-terminated line was read.</summary>
    Complete,

    /// <summary>No line end yet and the limit is not reached: read more.</summary>
    NeedMore,

    /// <summary>The line is over the limit. If it had an end it was consumed; otherwise nothing was.</summary>
    TooLong,

    /// <summary>A bare CR or a bare LF ends or sits inside the line (RFC 5321 §2.3.8); the line was consumed.</summary>
    BareLineEnding,
}
