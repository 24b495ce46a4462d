namespace Sluice.Logging;

/// <summary>Syslog facilities (RFC 5424 §6.2.1, numeric codes).</summary>
public enum SyslogFacility
{
    User = 1,
    Mail = 2,
    Daemon = 3,
    Local0 = 16,
    Local1 = 17,
    Local2 = 18,
    Local3 = 19,
    Local4 = 20,
    Local5 = 21,
    Local6 = 22,
    Local7 = 23,
}
