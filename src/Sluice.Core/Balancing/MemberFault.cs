namespace Sluice.Core.Balancing;

/// <summary>
/// Failures that are the member's fault and count against its passive health. What is not here is
/// not the member's fault and never counts: a 5xx for one recipient, a message the peer refuses,
/// our own shutdown.
/// </summary>
public enum MemberFault
{
    /// <summary>Connection refused, reset or unreachable.</summary>
    ConnectFailed,

    /// <summary>No connection (or no greeting) within the timeout.</summary>
    Timeout,

    /// <summary>The TLS handshake failed.</summary>
    TlsFailed,

    /// <summary>The greeting was not 220 (or EHLO/HELO was refused).</summary>
    BadGreeting,

    /// <summary>The connection was lost in the middle of a session.</summary>
    Dropped,

    /// <summary>421, or a 4xx throttling reply (a burst of them makes the member unhealthy).</summary>
    Throttled,
}
