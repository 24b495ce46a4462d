namespace Sluice.Smtp;

public enum DataDecodeStatus
{
    /// <summary>All input was consumed and the end marker has not been seen.</summary>
    NeedMore,

    /// <summary>The <c>CRLF.CRLF</c> end marker was consumed; input after it was not.</summary>
    Complete,
}
