using System.Net;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>
/// Scripted deviations from a normal server, consulted by every session of a listener: how
/// <c>sluice sink</c> defers, rejects, drops, delays and hides extensions on purpose. A node's
/// own listeners have none.
/// </summary>
public interface ISessionBehavior
{
    /// <summary>Added before every batch of replies is flushed.</summary>
    TimeSpan Latency { get; }

    /// <summary>A reply here is sent instead of the greeting and the connection is closed (e.g. a 421 storm).</summary>
    SmtpReply? OnConnect(IPEndPoint remote, IPEndPoint local);

    void OnDisconnect(IPEndPoint remote, IPEndPoint local);

    /// <summary>True to leave an EHLO keyword (PIPELINING, STARTTLS, CHUNKING, AUTH, …) out and refuse its command.</summary>
    bool Hides(string extension);

    /// <summary>A reply here refuses the recipient instead of accepting it.</summary>
    SmtpReply? OnRecipient(string address);

    /// <summary>What to do with a complete message, before it is handed to the intake.</summary>
    MessageVerdict OnMessage();
}
