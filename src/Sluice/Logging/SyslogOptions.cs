namespace Sluice.Logging;

/// <summary>The <c>Logging:Syslog</c> section: send the log (and the delivery events) to a syslog server as RFC 5424 messages.</summary>
public sealed class SyslogOptions
{
    /// <summary><c>udp://HOST:PORT</c> (one datagram per message) or <c>tcp://HOST:PORT</c> (RFC 6587 octet counting); none: no syslog.</summary>
    public string? Address { get; set; }

    /// <summary>The facility of every message (RFC 5424 §6.2.1): <c>Mail</c> by default, as MTAs use.</summary>
    public SyslogFacility Facility { get; set; } = SyslogFacility.Mail;

    /// <summary>APP-NAME of every message.</summary>
    public string AppName { get; set; } = "sluice";

    /// <summary>Also send each delivery event (reception, delivery, deferral, bounce, expiry) as a JSON message with MSGID <c>delivery</c>.</summary>
    public bool Events { get; set; } = true;
}
