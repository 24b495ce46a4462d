namespace Sluice.Delivery.Shaping;

/// <summary>The effective shaping of one site × egress source: every layer applied, nothing left open.</summary>
public sealed record SiteShaping(
    int MaxConnections,
    int InitialConnections,
    int MaxMessagesPerConnection,
    double MaxMessageRate,
    int MessageBurst,
    double MaxConnectionRate,
    int ConnectionBurst,
    TimeSpan IdleTimeout,
    int FailuresBeforeCooldown,
    TimeSpan FailureCooldown,
    TimeSpan ConnectTimeout,
    TimeSpan CommandTimeout,
    TimeSpan DataTimeout,
    TimeSpan DataDoneTimeout)
{
    /// <summary>Built-in values: Postfix-like concurrency, RFC 5321 §4.5.3.2 timeouts (connect: 30 s).</summary>
    public static SiteShaping Defaults { get; } = new(
        MaxConnections: 10,
        InitialConnections: 2,
        MaxMessagesPerConnection: 100,
        MaxMessageRate: 0,
        MessageBurst: 10,
        MaxConnectionRate: 0,
        ConnectionBurst: 5,
        IdleTimeout: TimeSpan.FromSeconds(30),
        FailuresBeforeCooldown: 5,
        FailureCooldown: TimeSpan.FromMinutes(2),
        ConnectTimeout: TimeSpan.FromSeconds(30),
        CommandTimeout: TimeSpan.FromMinutes(5),
        DataTimeout: TimeSpan.FromMinutes(3),
        DataDoneTimeout: TimeSpan.FromMinutes(10));

    /// <summary>This shaping with what <paramref name="rule"/> sets on top (its source entries are applied by the caller).</summary>
    public SiteShaping With(ShapingRule? rule) => rule is null ? this : new(
        rule.MaxConnections ?? MaxConnections,
        rule.InitialConnections ?? InitialConnections,
        rule.MaxMessagesPerConnection ?? MaxMessagesPerConnection,
        rule.MaxMessageRate ?? MaxMessageRate,
        rule.MessageBurst ?? MessageBurst,
        rule.MaxConnectionRate ?? MaxConnectionRate,
        rule.ConnectionBurst ?? ConnectionBurst,
        rule.IdleTimeout ?? IdleTimeout,
        rule.FailuresBeforeCooldown ?? FailuresBeforeCooldown,
        rule.FailureCooldown ?? FailureCooldown,
        rule.ConnectTimeout ?? ConnectTimeout,
        rule.CommandTimeout ?? CommandTimeout,
        rule.DataTimeout ?? DataTimeout,
        rule.DataDoneTimeout ?? DataDoneTimeout);
}
