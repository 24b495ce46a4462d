namespace Sluice.Delivery.Shaping;

/// <summary>
/// A reply rule's lowering of a ready queue's limits, in force until <see cref="Until"/>: the rule
/// that set it last, the reply that triggered it, and the lower message rate and connections (null:
/// not lowered). The configured shaping comes back by itself when it ends.
/// </summary>
public sealed record ShapingAdjustment(string Rule, DateTimeOffset Until, double? MaxMessageRate, int? MaxConnections, string Reply)
{
    public static ShapingAdjustment From(ReplyRule rule, DateTimeOffset until, string reply)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(rule.Name, until, rule.Action == ReplyAction.ReduceRate ? rule.MaxMessageRate : null, rule.Action == ReplyAction.ReduceConnections ? rule.MaxConnections : null, reply);
    }

    /// <summary>Both in one: the lower limits and the later end; the newer rule and reply are named.</summary>
    public ShapingAdjustment Merge(ShapingAdjustment newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        return new(newer.Rule, newer.Until > Until ? newer.Until : Until, Lower(MaxMessageRate, newer.MaxMessageRate), Lower(MaxConnections, newer.MaxConnections), newer.Reply);
    }

    /// <summary>The configured shaping with these limits on top (a lowered rate also loses its burst: one message at a time).</summary>
    public SiteShaping Apply(SiteShaping configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var shaping = configured;
        if (MaxMessageRate is { } rate && (configured.MaxMessageRate == 0 || rate < configured.MaxMessageRate))
        {
            shaping = shaping with { MaxMessageRate = rate, MessageBurst = 1 };
        }

        if (MaxConnections is { } connections && connections < configured.MaxConnections)
        {
            shaping = shaping with { MaxConnections = connections, InitialConnections = Math.Min(configured.InitialConnections, connections) };
        }

        return shaping;
    }

    private static double? Lower(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static int? Lower(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
