namespace Sluice.Server.Configuration;

public enum ListenerRole
{
    /// <summary>Port 587-style: MAIL requires AUTH; AUTH requires TLS unless the listener allows plaintext auth.</summary>
    Submission,

    /// <summary>Clients from trusted networks (or authenticated) may relay; others only reach local domains.</summary>
    Relay,

    /// <summary>Port 25-style: accepts mail for the local domains only, from anyone.</summary>
    Inbound,
}
