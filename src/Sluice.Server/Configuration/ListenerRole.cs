namespace Sluice.Server.Configuration;

public enum ListenerRole
{
    /// <summary>Port 587-style: MAIL requires AUTH; AUTH requires TLS unless the listener allows plaintext auth.</summary>
    Submission,

    /// <summary>Clients from trusted networks (or authenticated) may relay; others only reach local domains.</summary>
    Relay,

    /// <summary>Port 25-style: accepts mail for the local domains only, from anyone.</summary>
    Inbound,

    /// <summary>
    /// Where bounces and feedback-loop reports come back (the MX of the return-path and FBL
    /// addresses): every message is read as a report (RFC 3464 DSN, RFC 5965 ARF) and acted on, never
    /// queued for delivery.
    /// </summary>
    Feedback,
}
