namespace Sluice.Delivery.Shaping;

/// <summary>
/// One layer of the shaping config. Every field is optional: a rule only changes what it sets, on
/// top of the layers below it (built-in defaults, then <c>Default</c>, then a matching provider,
/// then the recipient domain; each followed by its <see cref="Sources"/> entry for the egress source).
/// </summary>
public sealed class ShapingRule
{
    /// <summary>Providers only: the rule applies to a site when every MX host name ends with one of these (".google.com").</summary>
    public List<string> MxSuffixes { get; set; } = [];

    /// <summary>Open connections to the site, busy and idle together (per egress source).</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Slow start: connections allowed at first; one more per successful delivery up to <see cref="MaxConnections"/>.</summary>
    public int? InitialConnections { get; set; }

    /// <summary>Messages over one connection before it is closed and a new one opened.</summary>
    public int? MaxMessagesPerConnection { get; set; }

    /// <summary>Messages per second on average (0: no limit), GCRA token bucket.</summary>
    public double? MaxMessageRate { get; set; }

    public int? MessageBurst { get; set; }

    /// <summary>New connections per second on average (0: no limit).</summary>
    public double? MaxConnectionRate { get; set; }

    public int? ConnectionBurst { get; set; }

    /// <summary>An idle cached connection is closed after this long.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>This many connection failures in a row rest the site for <see cref="FailureCooldown"/>.</summary>
    public int? FailuresBeforeCooldown { get; set; }

    public TimeSpan? FailureCooldown { get; set; }

    /// <summary>TCP connect (and TLS handshake) timeout.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Greeting and each command's reply (RFC 5321 §4.5.3.2: 5 minutes).</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>Each block of message data (RFC 5321 §4.5.3.2.5: 3 minutes).</summary>
    public TimeSpan? DataTimeout { get; set; }

    /// <summary>The reply after the final dot or last BDAT chunk (RFC 5321 §4.5.3.2.6: 10 minutes).</summary>
    public TimeSpan? DataDoneTimeout { get; set; }

    /// <summary>Overrides for one egress source (by source name) at this layer.</summary>
    public Dictionary<string, ShapingRule> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
