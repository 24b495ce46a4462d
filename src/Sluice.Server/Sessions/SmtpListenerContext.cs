using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Intake;
using Sluice.Core.Telemetry;
using Sluice.Server.Auth;
using Sluice.Server.Configuration;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>Everything the sessions of one listener share: settings, services and pre-encoded EHLO replies.</summary>
internal sealed class SmtpListenerContext
{
    private readonly SmtpReply[] _ehloReplies = new SmtpReply[4];

    public SmtpListenerContext(
        SmtpListenerOptions listener,
        string hostname,
        IMessageIntake queue,
        MessageIdGenerator ids,
        SluiceMetrics metrics,
        TimeProvider time,
        ILogger logger,
        X509Certificate2? certificate,
        UserDirectory users,
        AuthFailureLimiter authLimiter,
        string spillDirectory,
        ISessionBehavior? behavior = null)
    {
        Behavior = behavior;
        Listener = listener;
        Limits = listener.Limits;
        Hostname = hostname;
        Queue = queue;
        Ids = ids;
        Metrics = metrics;
        Time = time;
        Logger = logger;
        Certificate = certificate;
        Users = users;
        AuthLimiter = authLimiter;
        SpillDirectory = spillDirectory;
        TrustedNetworks = listener.TrustedNetworks.ConvertAll(IPNetwork.Parse);
        ProxyTrustedNetworks = listener.ProxyProtocol ? listener.ProxyTrustedNetworks.ConvertAll(IPNetwork.Parse) : [];
        Greeting = new SmtpReply(220, null, $"{hostname} ESMTP Sluice");
        GreetingOpening = Encoding.ASCII.GetBytes($"220-{hostname} ESMTP Sluice\r\n");
        HeloReply = new SmtpReply(250, null, hostname);
        for (var i = 0; i < 4; i++)
        {
            _ehloReplies[i] = BuildEhlo(tlsActive: (i & 1) != 0, authOffered: (i & 2) != 0);
        }
    }

    public SmtpListenerOptions Listener { get; }

    /// <summary>Balancers whose connections start with a PROXY header (empty: PROXY is off on this listener).</summary>
    public List<IPNetwork> ProxyTrustedNetworks { get; }

    public ISessionBehavior? Behavior { get; }

    public SmtpLimits Limits { get; }

    public string Hostname { get; }

    /// <summary>The intake stage: room at MAIL, policy at RCPT, the store at the end of the data.</summary>
    public IMessageIntake Queue { get; }

    public MessageIdGenerator Ids { get; }

    public SluiceMetrics Metrics { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public X509Certificate2? Certificate { get; }

    public UserDirectory Users { get; }

    public AuthFailureLimiter AuthLimiter { get; }

    public string SpillDirectory { get; }

    public List<IPNetwork> TrustedNetworks { get; }

    public SmtpReply Greeting { get; }

    /// <summary>The greeting's first line, sent before the pre-greet test; <see cref="Greeting"/> ends it.</summary>
    public ReadOnlyMemory<byte> GreetingOpening { get; }

    public SmtpReply HeloReply { get; }

    public ConnectionTracker Connections { get; } = new();

    /// <summary>Connections past which the listener is under stress (<see cref="SmtpLimits.StressThreshold"/>).</summary>
    public int StressAt => Limits.StressThreshold >= 1 ? int.MaxValue : (int)(Limits.MaxConnections * Limits.StressThreshold);

    /// <summary>Past the high-water mark now: timeouts shrink and addresses get a fair share.</summary>
    public bool UnderStress => Connections.Stressed;

    public bool IsTrusted(IPAddress client) => InAny(TrustedNetworks, client);

    /// <summary>A balancer allowed to send PROXY headers on this listener.</summary>
    public bool IsTrustedProxy(IPAddress peer) => InAny(ProxyTrustedNetworks, peer);

    /// <summary>
    /// Clients the pre-greet test leaves alone (Postfix's postscreen_access_list = permit_mynetworks):
    /// trusted networks, and a trusted balancer's own connections (its health checks expect a
    /// one-line greeting, as HAProxy's smtpchk does).
    /// </summary>
    public bool SkipsPregreetTest(IPAddress client) => IsTrusted(client) || IsTrustedProxy(client);

    /// <summary>AUTH is offered where it can be used: not on inbound listeners, and only over TLS unless plaintext is allowed.</summary>
    public bool AuthOffered(bool tlsActive)
        => Listener.Role is not (ListenerRole.Inbound or ListenerRole.Feedback) && Users.HasUsers && Offers("AUTH") && (tlsActive || Listener.AllowPlaintextAuth);

    /// <summary>False when a scripted behaviour hides the extension (and refuses its command).</summary>
    public bool Offers(string extension) => Behavior is null || !Behavior.Hides(extension);

    public SmtpReply EhloReply(bool tlsActive) => _ehloReplies[(tlsActive ? 1 : 0) | (AuthOffered(tlsActive) ? 2 : 0)];

    private SmtpReply BuildEhlo(bool tlsActive, bool authOffered)
    {
        var lines = new List<string>
        {
            Hostname,
            "PIPELINING",
            $"SIZE {Limits.MaxMessageSize}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "DSN",
        };
        if (!tlsActive && Certificate is not null)
        {
            lines.Add("STARTTLS");
        }

        if (authOffered)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        lines.Add("HELP");
        lines.RemoveAll(line => line != Hostname && !Offers(line.Split(' ')[0]));
        return new SmtpReply(250, null, string.Join('\n', lines));
    }

    private static bool InAny(List<IPNetwork> networks, IPAddress address)
    {
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
