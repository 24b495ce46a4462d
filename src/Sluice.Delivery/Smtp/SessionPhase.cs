namespace Sluice.Delivery.Smtp;

/// <summary>Where in the SMTP session an outcome arose (RFC 5321 §4.5.3.2 gives each phase its own timeout).</summary>
public enum SessionPhase
{
    Connect,
    Greeting,
    Hello,
    StartTls,
    Auth,
    Envelope,
    Data,
    FinalDot,
}
