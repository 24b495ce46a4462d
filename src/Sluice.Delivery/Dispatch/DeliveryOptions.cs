using Sluice.Delivery.Dns;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Scheduling;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>The <c>Delivery</c> section.</summary>
public sealed class DeliveryOptions
{
    /// <summary>Deliver queued mail. Off, the node only accepts and queues (tests, staging, benchmarks).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Send everything to this smarthost (HOST:PORT) instead of MX, like Postfix's relayhost.</summary>
    public string? RelayHost { get; set; }

    /// <summary>Per-domain routing rules; an exact domain beats "*".</summary>
    public List<RouteOptions> Routes { get; set; } = [];

    /// <summary>Relay pools that routes can send through: balanced, health-checked, failed over (reloaded live, keeping health).</summary>
    public List<Core.Balancing.BalancerPoolOptions> Pools { get; set; } = [];

    /// <summary>Port used for MX hosts (25; other values only for tests and special setups).</summary>
    public int MxPort { get; set; } = 25;

    /// <summary>Messages being sent at once, over all destinations (taken only by a connection ready to send).</summary>
    public int Concurrency { get; set; } = 256;

    /// <summary>Outbound connections open at once, over all destinations (idle ones make room when another destination needs one).</summary>
    public int MaxConnections { get; set; } = 2000;

    /// <summary>
    /// Messages leased from the queue and in the engine's hands at once (waiting in ready queues or
    /// being sent): the bound on the engine's memory however deep the queue is.
    /// </summary>
    public int MaxInHand { get; set; } = 20000;

    /// <summary>Messages one ready queue keeps in memory; more for that destination are held in the queue until it drains.</summary>
    public int MaxWaitingPerQueue { get; set; } = 1000;

    /// <summary>How often the queue is checked for due messages when nothing new arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>JSON file of extra bounce classification rules, tried before the built-in ones.</summary>
    public string? BounceRulesFile { get; set; }

    /// <summary>JSON file of reply-driven shaping rules, tried before the built-in ones; re-read at every reload.</summary>
    public string? ReplyRulesFile { get; set; }

    /// <summary>The built-in reply-driven shaping rules for the large providers (Gmail, Yahoo, Microsoft) and common throttling replies.</summary>
    public bool BuiltInReplyRules { get; set; } = true;

    public DnsOptions Dns { get; set; } = new();

    /// <summary>MTA-STS (RFC 8461): recipient domains' policies fetched, cached and, in enforce mode, obeyed.</summary>
    public MtaSts.MtaStsOptions MtaSts { get; set; } = new();

    /// <summary>Daily SMTP TLS reports (RFC 8460) to the domains that publish a TLSRPT record.</summary>
    public TlsReporting.TlsReportingOptions TlsReporting { get; set; } = new();

    public Egress.EgressOptions Egress { get; set; } = new();

    public RetryOptions Retry { get; set; } = new();

    /// <summary>Per-site, per-provider, per-domain and per-source limits and timeouts (reloaded live).</summary>
    public Shaping.ShapingOptions Shaping { get; set; } = new();

    public SmtpClientOptions Client { get; set; } = new();
}
