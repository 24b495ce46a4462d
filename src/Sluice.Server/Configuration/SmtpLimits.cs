namespace Sluice.Server.Configuration;

/// <summary>Per-listener limits. Defaults follow RFC 5321 §4.5.3 where it sets a number.</summary>
public sealed class SmtpLimits
{
    /// <summary>Command line including CRLF (RFC 5321 §4.5.3.1.4).</summary>
    public int MaxCommandLineLength { get; set; } = 512;

    /// <summary>Extra octets tolerated on command lines: ESMTP parameters (SIZE, RET, ENVID, ORCPT…) legitimately push MAIL and RCPT past 512.</summary>
    public int CommandLineTolerance { get; set; } = 512;

    /// <summary>Text line in message content including CRLF (RFC 5321 §4.5.3.1.6).</summary>
    public int MaxTextLineLength { get; set; } = 1000;

    /// <summary>Largest message in octets, declared (SIZE) or actual; advertised in EHLO (RFC 1870).</summary>
    public long MaxMessageSize { get; set; } = 35L * 1024 * 1024;

    /// <summary>Recipients per message; RFC 5321 §4.5.3.1.8 requires at least 100.</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>Error replies in one session before 421 and disconnect.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>
    /// Open connections on this listener. An idle session costs a few KiB (no buffers are held while
    /// it waits; see docs/performance.md), so the default is sized for an async server; the process
    /// needs a file-descriptor limit above it (Sluice warns at start-up when it is not).
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Fraction of <see cref="MaxConnections"/> past which the listener is under stress (Postfix's
    /// stress mode): sessions waiting for a command or for message data get
    /// <see cref="StressTimeout"/> instead of their usual timeouts, those already waiting included,
    /// and an address gets at most its fair share of the connections. 1 turns stress off.
    /// </summary>
    public double StressThreshold { get; set; } = 0.75;

    /// <summary>Command deadline and data idle timeout under stress (Postfix: 10 s instead of 300 s).</summary>
    public TimeSpan StressTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open connections from one client IP on this listener (not counted for trusted clients unless <see cref="LimitTrustedClients"/>).</summary>
    public int MaxConnectionsPerClient { get; set; } = 50;

    /// <summary>
    /// Apply the per-client limits to clients in the listener's <c>TrustedNetworks</c> too. Off by
    /// default: an application sending from a trusted network legitimately opens many connections
    /// (Postfix exempts <c>$mynetworks</c> from its client limits likewise).
    /// </summary>
    public bool LimitTrustedClients { get; set; }

    /// <summary>
    /// Time for a whole command line, from when the session waits for it until its CRLF (RFC 5321
    /// §4.5.3.2.7 suggests 5 minutes of waiting): bytes trickling in do not extend it.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Idle time waiting for the next block of DATA/BDAT (RFC 5321 §4.5.3.2.6: 3 minutes).</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Lowest average DATA/BDAT rate in octets per second once the grace period is over (slowloris).</summary>
    public int MinDataRate { get; set; } = 1024;

    /// <summary>Time at the start of DATA/BDAT before the minimum rate is enforced.</summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the greeting; a client that talks first is refused (pre-greet test). Zero still refuses data already waiting.</summary>
    public TimeSpan GreetingDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Longest AUTH exchange line (RFC 4954 §4: 12288 octets).</summary>
    public int MaxAuthLineLength { get; set; } = 12288;
}
